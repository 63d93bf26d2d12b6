"""The demonstration language pack: synthetic speech corpus and the command that trains the shipped model."""
