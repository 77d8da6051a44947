"""Storage engines shared by the classroom store and the job queue (see storage/db.py)."""
