"""The application layer: use cases that combine the store, the analysis pipeline, the trial
report and the file formats, for the command line and the web application alike.

``reporting`` (analyse a trial and write its report), ``trial_data`` (load a trial from the
database or an SDTM folder), ``simulation`` (simulate a trial and keep it), ``derivations``
(single engine runs from files: ADRS, ADTTE), ``demo`` (the main job), ``dictionary`` (find
NCI's CTCAE file). The adapters above call one of these per command; the layers below never
import this one.
"""
