"""Placeholder: the S3 replication config model is written by the replication issue."""
