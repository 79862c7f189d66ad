from django.urls import path

from linli.residents import views, views_bookings

app_name = "residents"
urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("", views.portal, name="portal"),
    path("facilities/<int:pk>/", views.facility, name="facility"),
    path("family/", views.family, name="family"),
    path("family/<int:member_pk>/consent/", views.consent_give, name="consent_give"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("messages/", views.notices, name="notices"),
    path("me/", views.my_data, name="my_data"),
    path("me/download/", views.my_data_download, name="my_data_download"),
    path("me/erase/", views.my_data_erase, name="my_data_erase"),
    path("desk/", views.DeskResidentListView.as_view(), name="desk_list"),
    path("desk/new/", views.desk_register, name="desk_register"),
    path("desk/<int:pk>/", views.desk_detail, name="desk_detail"),
    path("services/<int:pk>/", views_bookings.service, name="service"),
    path("bookings/", views_bookings.my_bookings, name="bookings"),
    path("bookings/<int:pk>/cancel/", views_bookings.booking_cancel, name="booking_cancel"),
    path(
        "bookings/<int:pk>/calendar.ics", views_bookings.booking_calendar, name="booking_calendar"
    ),
    path("bookings/<int:pk>/rate/", views_bookings.booking_rate, name="booking_rate"),
    path("bookings/<int:pk>/visit/", views_bookings.booking_visit, name="booking_visit"),
    path("facilities/<int:pk>/complaint/", views_bookings.complaint_new, name="complaint_new"),
    path("sessions/", views_bookings.session_list, name="session_list"),
    path("sessions/<int:pk>/", views_bookings.session_detail, name="session_detail"),
    path("sensitive-views/", views.SensitiveViewListView.as_view(), name="sensitive_views"),
]
