"""The methodology in words: the disclosures and the audit PDF quote it (calculator.METHOD_NOTES)."""

METHOD_NOTES = """\
Token rows (usage_kind=tokens): the EcoLogits LLM inference method, as coded in the ecologits version
recorded in the factor set. Per request: GPU energy = output tokens x (alpha.exp(beta.batch).active params
+ gamma), times the GPUs needed to hold the model (total params x 16 bit x 1.2 / 80 GB, rounded up to a power
of two); server energy (non-GPU) = generation latency x 1.2 kW x GPUs/8 / batch; request energy = PUE x
(server + GPUs x GPU energy). Latency: our sources are daily buckets with no latency, so it is estimated as
EcoLogits does when the measured latency is not binding: output tokens / the model's typical tokens per
second (or the EcoLogits latency regression when the repository gives none) + one time-to-first-token per
request. Everything is linear in output tokens and requests, so one coefficient pair per distinct
(provider, model) and one grid factor per distinct (zone, year) are computed and applied to all rows.
Input tokens (beyond EcoLogits, which models generation only): a prefill term, reported on its own line
(energy_prefill_kwh) and included in the energy and CO2e totals, so energy_kwh - energy_prefill_kwh is the
EcoLogits-equal part. An uncached input token costs 0.05-0.25 of the model's EcoLogits energy per output token,
a cached one 0.005-0.125; embedding models are a prefill-only pass of an assumed 0.335-7 B model (no output
energy, no embodied share). The ratios are derived assumptions (status assumption in the factor set's
input_token_energy table, with their sources: phase measurements show prefill far cheaper per token than
decoding; the upper bounds are the vendors' input/output and cache-read price ratios).
Low/high: minimum/maximum PUE with minimum/maximum parameter counts where the model size is
not public; the central value is their mean (as EcoLogits' RangeValue.mean). Model lineage: every name a
source writes (dated version, Azure deployment name, gateway prefix, Bedrock or Vertex AI id) resolves to one
repository entry, recorded per row (model_resolved, with the EcoLogits release it came from); models the pinned
release dropped keep the entry of the last release that had them (factor set table model_lineage, e.g.
claude-sonnet-4 and gemini-2.0-flash from ecologits 0.10.2); 'latest' aliases resolve by the day of use
(table model_aliases, with validity dates). Models neither knows get a size class from the parameter count
their name publishes (else the open class), a wide range and a warning, never zero. Embodied (manufacturing)
GHG: the EcoLogits allocation of server and GPU manufacturing by generation time over a 3-year life, shown
separately (co2e_embodied_kg), token rows only.
Zone: the row's zone (country or cloud region) or else the provider's data-centre location in EcoLogits.
Data quality of token rows: activity_based (provider usage data, energy modelled).
Seat rows (seat_activity): interactions x Wh per interaction (sourced in the set). Interactions are the
source's request counts where it has them (GitHub Copilot metrics and usage reports, Microsoft 365 Copilot v2
prompts, ChatGPT Enterprise messages; a count for a period is spread over the user's days in it, so no day of a
counted user also takes the assumption: data quality activity_based), else active user-days x the tool's
interactions per active day, an assumption marked as one in the set (status assumption; data quality
activity_assumed, flagged); with no activity but a cost, spend-based (kgCO2e per USD, EEIO), energy not estimated.
Wh per interaction: central 0.34 (OpenAI's average ChatGPT query, Jun 2025; 0.24 for Gemini, Google's median
Gemini Apps prompt, Aug 2025), low 0.16 (Microsoft, Jun 2026, low end of a typical production query), high 2.5
(Epoch AI, Feb 2025, a query with a 10,000-token input); a vendor's figure used for another's tool is marked as
an assumption (wh_status). The range of an assumed row is that of a product of two independent factors: low =
central / exp(sqrt(ln(interactions central/low)^2 + ln(Wh central/low)^2)), high likewise with the high bounds,
not both extremes at once.
Measured rows (measured_energy): the IT energy CodeCarbon measured (its file's pue setting divided out) times
the facility PUE of the site (the factor set's facility_pue table, per zone: the officer's measured or entered
figure, else the assumed industry average, Uptime Institute Global Data Center Survey 2024, 1.56, flagged).
Data quality measured_it: measured IT energy, modelled facility. No range.
Electricity to CO2e, location-based: the grid factor of the zone for the year of use, or the latest earlier
vintage the data has, or for a year before the data starts its earliest (grid_year says which; a row whose
factor is of another year than its year of use is flagged).
Boundary: Scope 2 takes the generation boundary (direct emissions at the plants, as the GHG Protocol's Scope 2;
the upstream share is Scope 3 category 3, reported on its own line: see below): US states and the US from EPA eGRID2023
(CO2e total output emission rate), EU member states from the EEA's GHG emission intensity of electricity
generation (2023, 2024). Scope 3 takes the life-cycle boundary (the service's cradle-to-gate, as
EcoLogits): Ember/OWID country factors via codecarbon. A zone with no factor on the boundary its row asks takes
the other and the row says so (today: countries outside the EU and the US for Scope 2; US states for Scope 3). US cloud
regions (AWS, Azure, Google Cloud) resolve to their state's grid, other regions to their country's.
Upstream of purchased electricity (Scope 3 category 3): per grid zone and year of use, Scope 2 kWh x (life-cycle
factor - generation factor), no per-record column; a zone without a generation factor has it inside Scope 2
(0, flagged); a US state takes the national (USA) upstream per kWh (an assumption, flagged); a life-cycle factor
below the generation one (two sources) gives 0, flagged. Added to Scope 3 and the totals, not to category 1.
Scope: services bought (APIs, seats, rented cloud GPUs) are Scope 3 category 1 for the buyer (ESRS E1 AR 51
subset); their kWh are not E1-5 energy. Scope 3 has no location/market split, so co2e_market_kg equals
co2e_location_kg for those rows. Self-hosted rows are Scope 2 and E1-5 energy.
Market-based (Scope 2 only, GHG Protocol Scope 2 hierarchy): contractual instruments (GO, PPA, green tariff,
supplier rate) for the same zone and period are allocated to self-hosted consumption pro rata, at their
emission rate (0 for renewable GOs/PPAs); the remainder at the zone's residual mix (AIB European Residual Mixes,
direct CO2: the generation boundary; every EU member state, editions 2023, 2024 and 2025) of the edition of the
year of use, or for a later year the latest edition, for an earlier one the earliest (vintage gap flagged);
where no residual mix exists (a zone AIB does not cover, or an edition printing NA under full disclosure:
Austria, the Netherlands from 2024) at the grid average, flagged on the row.
Disclosure ranges: rows sharing the uncertain parameters (one model's tokens; all seat rows; all spend-based rows)
add their deviations; those groups combine in quadrature (independent errors), not as a sum of every worst case.
Water, abiotic depletion and primary energy (voluntary, as EcoLogits computes them): water consumption (L) =
energy x (data-centre WUE / PUE + the zone mix's water per kWh), that is on-site cooling water plus the water
of generating the electricity off site (ecologits request_usage_wcf; provider PUE/WUE from ecologits, the range
of all providers for seat tools and own sites, whose WUE is not known); ADPe (kgSbeq) and primary energy (MJ) =
energy x the zone mix's factor plus the embodied share of the hardware (token rows). Mix factors: ecologits'
electricity_mixes (a US state takes the USA row, a zone without one the world's). Spend-based rows: not estimated.
Against published measurements: the per-prompt figures Google (median Gemini Apps text prompt, Aug 2025),
OpenAI (average ChatGPT query, Jun 2025), Microsoft (typical production query, Jun 2026) and Mistral AI (a
400-token Le Chat response, life-cycle assessment, Jul 2025) published, each beside this method's figure for
one request of the vendor's model and length (or, where the vendor names none, a stated assumption), with the
ratio; boundaries are stated, not adjusted (table published_measurements).
Share of primary data (E1-6_25): Scope 3 CO2e whose energy was measured on the hardware that served it, over all
Scope 3 CO2e; vendor activity data with modelled energy (tokens, seat activity) and spend are secondary.
"""
