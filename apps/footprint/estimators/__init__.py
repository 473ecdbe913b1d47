"""One estimator per usage kind, each returning its figures as a low/high `RangeValue`.

* `llm`: the EcoLogits LLM inference steps for one model (gpu_energy, generation_latency, server_energy,
  request_energy, request_embodied_gwp, compute_llm_impacts), named as upstream names them.
* `tokens`: token rows, vectorised (`llm_impacts`).
* `seats`: seat-tool activity rows (`seat_energy`).
* `measured`: rows CodeCarbon measured (`measured_energy`).
* `spend`: the spend-based fallback for rows with a cost and no activity (`spend_based_emissions`).
* `emissions`: energy to location-based CO2e (`request_usage_gwp`), whatever the usage kind.

No Django.
"""
