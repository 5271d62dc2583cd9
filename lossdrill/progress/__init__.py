"""What the learner has mastered, from the store: :func:`.report.build_report`."""
