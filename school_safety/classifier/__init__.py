"""The report classifier: bullying, cyberbullying and suicide risk, in Kazakh, Russian and English.

It decides who reads a report first, never whether it is read.
"""
