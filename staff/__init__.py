"""Staff assessment, one package per domain (see docs/architecture.md): people (staff policy,
appointments and punctuality, training, coaching), mystery (mystery shopping), hiring (aptitude
assessment of candidates) and scorecards (the read model over all of them). Their models are
gathered in staff.models under the one app label "staff"; tasks, receivers, the timeline and
the app's URLs stay at the top."""
