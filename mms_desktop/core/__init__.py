"""The engine: everything the application can do, with no Qt."""
