"""`python -m preflight review`: what an edit of a stack file does, base against working tree.

Each side runs as preflight runs (the program under mocks, the pack over its protocol, engine-shaped properties)
and as the retention report prices it; the review compares the two: the verdict, policy findings, the backup
posture per plan, rule, vault and bucket, the steps the engine would plan, what happens to recovery points that
already exist, and the monthly cost.
"""
