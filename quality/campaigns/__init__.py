"""Early warning and campaigns: complaints of one category on one product that pile up within a
period form a cluster (set-based detection, one alert per cluster); a campaign, from a cluster or
a manufacturer's recall, plans a care follow-up for every other affected owner through the
follow-ups app and reports contacted, reached and repaired."""
