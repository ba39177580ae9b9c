"""Pages of the staff app: hiring."""

urlpatterns = []
