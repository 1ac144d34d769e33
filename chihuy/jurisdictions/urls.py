app_name = "jurisdictions"
urlpatterns: list = []
