"""Tumour response: RECIST 1.1, iRECIST, mRECIST, lesions to best overall response (core, pure)."""
