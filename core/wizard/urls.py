from django.urls import path

from core.wizard import views

urlpatterns = [
    path("wizard/", views.index, name="wizard"),
    path("wizard/test/<str:service>", views.test_connection, name="wizard-test"),
    path("wizard/<str:name>/", views.step_view, name="wizard-step"),
]
