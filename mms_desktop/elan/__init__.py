"""MMS Desktop inside ELAN: three local recognizers (transcribe, align, identify) that ELAN runs as programs
of their own, installed into ELAN's extensions folder by ``mms-desktop elan install``."""
