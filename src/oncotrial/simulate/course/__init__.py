"""One enrolled patient's simulated course, one module per stage of it.

``oncotrial.simulate.patient.simulate_course`` runs the stages in this order, each drawing from
the patient's own random generator (the order of the draws is part of the simulator's output:
tests/demo/test_sdtm_pin.py pins the demo trials' exports):

- ``screening``: consent, allocation, baseline vital signs, scores, disease, biomarkers, prior
  therapy; the baseline values later visits vary around.
- ``timeline``: first dose, the reference day, the latent death and drop-out days.
- ``labs``: the screening draw, the pre-dose draws, values linked to lab adverse events.
- ``adverse_events``: the events drawn before the scans (a fatal one ends the course), and the AE
  and CM rows written once treatment is known.
- ``lesions`` and ``scans``: baseline lesions, the tumour kinetics, each scan read by the response
  engine.
- ``treatment``: local therapy, drug cycles, end of treatment.
- ``follow_up``: subsequent therapy, death or end of study, demographics.

``context`` holds what every stage reads: the patient, the trial plan, the output tables.
"""
