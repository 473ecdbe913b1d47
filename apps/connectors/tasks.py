from celery import shared_task

from .ingestion import execute_run


@shared_task(name="connectors.ingest_run", acks_late=True, reject_on_worker_lost=True)
def ingest_run(run_id: int) -> str:
    """Load one ingestion run. Re-delivered after a killed worker; execute_run makes that safe."""
    return execute_run(run_id).status

