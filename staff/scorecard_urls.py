"""Pages of the staff app: scorecard."""

urlpatterns = []
