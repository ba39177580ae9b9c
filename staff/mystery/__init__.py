"""Mystery shopping: scorecard templates (versioned, with sections and criteria), the assignments
that send a shopper to a branch, the shopper's results with their answers and attachments, their
review, and the scoring of a result (scoring.py). An accepted result below the threshold opens a
coaching action (staff.people)."""
