"""Cloud bills and self-hosted compute: Azure cost details, Google Cloud billing export, CodeCarbon GPU jobs."""

from __future__ import annotations

import uuid
import zlib

import numpy as np
import pandas as pd

from .people import DEMO_SEED
from .timeline import day_weights

AZURE_SUBSCRIPTION = "7c1e2a9b-3d4f-4e5a-8b6c-9d0e1f2a3b4c"


def azure_cost_csv(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """Azure Cost Management export (EA cost details, US dates) with Azure OpenAI token meters in
    Sweden Central and West Europe, among ordinary VM and storage rows."""
    rng = np.random.default_rng(seed + 7)
    cal = day_weights(year)
    header = (
        "Date,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,MeterCategory,MeterSubCategory,"
        "MeterName,MeterId,Quantity,UnitOfMeasure,EffectivePrice,CostInBillingCurrency,BillingCurrency,"
        "ResourceId,Tags"
    )
    deployments = [  # rg, location, team, meter stem, Mtokens in/out a day at weight 1 (x1000 = 1K units), EUR/1K
        ("rg-ai-se", "swedencentral", "Customer Support", "gpt-4o-0513", 0.07, 0.012, 0.0023, 0.0092),
        ("rg-ai-se", "swedencentral", "Customer Support", "gpt-4o-mini-0718", 0.13, 0.02, 0.00014, 0.00055),
        ("rg-ai-weu", "westeurope", "Finance", "gpt 4.1", 0.025, 0.004, 0.0018, 0.0073),
    ]
    lines = [header]
    for day, weight, t in zip(cal["day"], cal["weight"], cal["t"], strict=True):
        date = day.strftime("%m/%d/%Y")
        for rg, loc, team, stem, m_in, m_out, p_in, p_out in deployments:
            # The support bot moves from gpt-4o to gpt-4o-mini over the year.
            shift = (1.0 - 0.8 * t) if stem == "gpt-4o-0513" else (0.3 + 0.9 * t) if "mini" in stem else 1.0
            k_in = m_in * 1000 * weight * shift * scale * rng.uniform(0.85, 1.15)
            k_out = m_out * 1000 * weight * shift * scale * rng.uniform(0.85, 1.15)
            resource = (
                f"/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/{rg}/providers/"
                f"Microsoft.CognitiveServices/accounts/demo-aoai-{loc}"
            )
            tags = f'"""team"": ""{team}"",""env"": ""prod"""'
            for direction, qty, price in (
                ("Inp", k_in * 0.8, p_in),
                ("cached Inp", k_in * 0.2, p_in / 2),
                ("Outp", k_out, p_out),
            ):
                meter = f"{stem} {direction} glbl Tokens"
                lines.append(
                    f"{date},{AZURE_SUBSCRIPTION},Demo-Prod,{rg},{loc},Cognitive Services,Azure OpenAI,"
                    f"{meter},m-{zlib.crc32(meter.encode()):08x},{qty:.3f},1K,{price},{qty * price:.4f},EUR,"
                    f"{resource},{tags}"
                )
        lines.append(
            f"{date},{AZURE_SUBSCRIPTION},Demo-Prod,rg-web,westeurope,Virtual Machines,Dv3/DSv3 Series,D4s v3,"
            f"m-00000001,96,1 Hour,0.192,18.43,EUR,/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/rg-web/"
            f"providers/Microsoft.Compute/virtualMachines/web01,"
        )
        lines.append(
            f"{date},{AZURE_SUBSCRIPTION},Demo-Prod,rg-web,westeurope,Storage,General Block Blob v2,"
            f"Hot LRS Data Stored,m-00000002,{40 + 10 * t:.2f},1 GB/Month,0.0184,{(40 + 10 * t) * 0.0184:.4f},"
            f"EUR,/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Storage/"
            f"storageAccounts/demoweb,"
        )
    return ("\n".join(lines) + "\n").encode()


def gcp_billing_csv(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """Google Cloud Billing export rows (BigQuery CSV layout) with Vertex AI Gemini token SKUs for two
    projects in europe-west4 and europe-west1, among Compute Engine rows."""
    rng = np.random.default_rng(seed + 8)
    cal = day_weights(year)
    header = (
        "billing_account_id,service.id,service.description,sku.id,sku.description,usage_start_time,"
        "usage_end_time,project.id,project.name,labels,location.location,location.country,location.region,"
        "cost,currency,usage.amount,usage.unit,usage.amount_in_pricing_units,usage.pricing_unit"
    )
    streams = [  # project, region, country, team label, SKU, tokens a day at weight 1, EUR per 1M
        ("demo-ds-research", "europe-west4", "NL", "Data Science", "Gemini 2.5 Pro Input Text Tokens", 50e3, 1.15),
        ("demo-ds-research", "europe-west4", "NL", "Data Science", "Gemini 2.5 Pro Output Text Tokens", 6e3, 9.2),
        (
            "demo-support-search",
            "europe-west1",
            "BE",
            "Customer Support",
            "Gemini 2.5 Flash Input Text Tokens",
            200e3,
            0.28,
        ),
        (
            "demo-support-search",
            "europe-west1",
            "BE",
            "Customer Support",
            "Gemini 2.5 Flash Output Text Tokens",
            20e3,
            2.3,
        ),
    ]
    lines = [header]
    for day, weight in zip(cal["day"], cal["weight"], strict=True):
        start = day.strftime("%Y-%m-%d 00:00:00 UTC")
        end = (day + pd.Timedelta(days=1)).strftime("%Y-%m-%d 00:00:00 UTC")
        for project, region, country, team, sku, tokens, price in streams:
            sku_id = f"{zlib.crc32(sku.encode()) & 0xFFFF:04X}-{len(sku):04d}"
            amount = int(tokens * weight * scale * rng.uniform(0.8, 1.2))
            if not amount:
                continue
            labels = f'"[{{""key"":""team"",""value"":""{team}""}}]"'
            lines.append(
                f"01D3M0-4B5C6D-7E8F90,C7E2-9256-1C43,Vertex AI,{sku_id},{sku},"
                f"{start},{end},{project},{project},{labels},{region},{country},{region},"
                f"{amount / 1e6 * price:.4f},EUR,{amount},count,{amount / 1e6:.6f},1M tokens"
            )
        lines.append(
            f"01D3M0-4B5C6D-7E8F90,6F81-5844-456A,Compute Engine,2E27-4F75-95CD,"
            f"N2 Instance Core running in Belgium,{start},{end},demo-support-search,demo-support-search,[],"
            f"europe-west1,BE,europe-west1,2.74,EUR,345600,seconds,96,hour"
        )
    return ("\n".join(lines) + "\n").encode()


# ----------------------------------------------------------------------------- CodeCarbon GPU jobs


CODECARBON_HEADER = (
    "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
    "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,"
    "cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,"
    "longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue"
)


def codecarbon_csv(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """CodeCarbon emissions.csv of the self-hosted GPU jobs: a nightly embedding job on a cluster in
    France and weekly fine-tuning runs in Germany, each run flushed three times (cumulative values)."""
    rng = np.random.default_rng(seed + 10)
    cal = day_weights(year)
    sites = {  # country, iso, region, grid g/kWh as CodeCarbon would log, lon, lat, GPUs, GPU model
        "FR": ("France", "FRA", "ile-de-france", 56.0, 2.35, 48.85, 2, "2 x NVIDIA L40S"),
        "DE": ("Germany", "DEU", "hessen", 381.0, 8.68, 50.11, 8, "8 x NVIDIA H100 80GB HBM3"),
    }
    lines = [CODECARBON_HEADER]
    for day, t in zip(cal["day"], cal["t"], strict=True):
        jobs = []
        if rng.random() < min(1.0, scale * 20):  # the nightly job (every night at full scale)
            jobs.append(("FR", "rag-embeddings", rng.uniform(2.5, 4.5) * 3600))
        if day.day_of_week == 5 and rng.random() < min(1.0, scale * 20):  # the Saturday fine-tune
            jobs.append(("DE", "llm-finetune", rng.uniform(6, 14) * 3600 * (1 + 0.5 * t)))
        for site, project, duration in jobs:
            country, iso, region, grid, lon, lat, gpus, gpu_model = sites[site]
            run_id = str(uuid.UUID(bytes=rng.bytes(16), version=4))
            gpu_w = gpus * rng.uniform(250, 600)
            cpu_w, ram_w = 95.0, 48.0
            start = day + pd.Timedelta(hours=1)
            for part in (1, 2, 3):  # cumulative flushes; the parser keeps the last one of a run
                secs = duration * part / 3
                h = secs / 3600
                cpu_e, gpu_e, ram_e = cpu_w * h / 1000, gpu_w * h / 1000, ram_w * h / 1000
                energy = cpu_e + gpu_e + ram_e
                stamp = (start + pd.Timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
                lines.append(
                    f"{stamp},{project},{run_id},{run_id},{secs:.1f},{energy * grid / 1000:.6f},"
                    f"{energy * grid / 1000 / secs:.3e},{cpu_w:.1f},{gpu_w:.1f},{ram_w:.1f},{cpu_e:.6f},{gpu_e:.6f},"
                    f"{ram_e:.6f},{energy:.6f},{country},{iso},{region},,,Linux-6.8.0-x86_64,3.12.3,3.3.2,64,"
                    f"AMD EPYC 9354 32-Core Processor,{gpus},{gpu_model},{lon},{lat},512.0,machine,N,1.0"
                )
    return ("\n".join(lines) + "\n").encode()
