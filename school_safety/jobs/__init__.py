"""Scheduled work: jobs that run inside every app process and are safe to run twice."""
