"""One estimator per usage kind, each returning its figures as a low/high `RangeValue`.

* `llm`: the EcoLogits LLM inference steps for one model (gpu_energy, generation_latency, server_energy,
  request_energy, request_embodied_gwp, compute_llm_impacts), named as upstream names them.
* `tokens`: token rows, vectorised (`llm_impacts`), with the prefill term of input tokens and embeddings.
* `impacts`: water, ADPe and primary energy of every row, as EcoLogits computes them (`multi_criteria`).
* `seats`: seat-tool activity rows (`seat_energy`).
* `measured`: rows CodeCarbon measured (`measured_energy`).
* `spend`: the spend-based fallback for rows with a cost and no activity (`spend_based_emissions`).
* `emissions`: energy to location-based CO2e (`request_usage_gwp`), whatever the usage kind.

No Django.
"""
