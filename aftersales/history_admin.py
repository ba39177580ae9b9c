from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, with an id that cannot be one of the model's
    (`…/customer/x/history/`) answered as Django's change view answers it: back to the list
    with "does not exist". simple-history hands the raw text to the database, a 500."""

    def history_view(self, request, object_id, extra_context=None):
        if not _is_key(self.model, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_model = self.model.history.model
        if not (_is_key(self.model, object_id) and _is_key(history_model, version_id)):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def _is_key(model, text):
    try:
        model._meta.pk.to_python(unquote(text))
    except ValidationError:
        return False
    return True
