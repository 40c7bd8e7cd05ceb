"""Running the app for many: deploy/lecture_hall.py (several processes behind nginx)."""
