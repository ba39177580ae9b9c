"""Pages of the staff app: mystery."""

urlpatterns = []
