-- Daily analytics: how many events the opening/closing report of the day holds.
SELECT count(DISTINCT sr_event_id) FROM analytics_opening_closing WHERE day = %(day)s
