"""Django admin for set-up by the provincial IT team. Writes still go through the models' audit."""

from django.contrib import admin

from chihuy.centres.models import Agency, Centre, DeputySector, Member
from chihuy.core.files import PrivateFileField, StoredFileInput


class AgencyInline(admin.TabularInline):
    model = Agency
    extra = 0


class DeputySectorInline(admin.TabularInline):
    model = DeputySector
    extra = 0


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "short_code", "level", "jurisdiction", "parent", "status", "hotline"]
    list_filter = ["level", "status"]
    search_fields = ["name", "short_code", "jurisdiction__name"]
    raw_id_fields = ["jurisdiction", "parent", "hotline_fallback_member"]
    filter_horizontal = ["region"]
    readonly_fields = ["path"]
    inlines = [AgencyInline]
    # The stock widget links to the file's storage URL, which uploads do not have.
    formfield_overrides = {PrivateFileField: {"widget": StoredFileInput}}

    def get_form(self, request, obj=None, change=False, **kwargs):
        from chihuy.centres.forms import link_documents

        form = super().get_form(request, obj, change, **kwargs)
        link_documents(form.base_fields, obj)
        return form

    def save_model(self, request, obj, form, change):
        from chihuy.centres.services import centre_rebuild_path

        super().save_model(request, obj, form, change)
        centre_rebuild_path(centre=obj)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "centre", "role", "agency", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "centre__name"]
    raw_id_fields = ["user", "centre", "agency"]
    inlines = [DeputySectorInline]
