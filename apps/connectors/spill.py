"""A run attempt's spill files: the parsed chunks of a file, split into buckets by natural key, so the write
phase can sum one bucket at a time (every key of a bucket is then complete) and memory follows the chunk size,
not the number of distinct keys."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from django.conf import settings

from apps.footprint import usage_frame

from .models import IngestionRun
from .sources.frames import GROUP_COLUMNS, aggregate

SPILL_BUCKET_BYTES = 32 << 20  # file bytes per spill bucket: a bucket's keys are summed and written at once


def spill_root() -> Path:
    """The directory every attempt's spill directory is made in."""
    return Path(settings.MEDIA_ROOT).parent / "ingest-spill"


def spill_dir(run: IngestionRun) -> Path:
    """The spill directory of the run's current attempt."""
    return spill_root() / f"run{run.pk}-attempt{run.attempts}"


def drop_other_attempts(run: IngestionRun) -> None:
    """Remove what the run's other (killed or superseded) attempts spilled: this attempt sums the whole file
    again."""
    for leftover in spill_root().glob(f"run{run.pk}-attempt*"):
        if leftover.name != spill_dir(run).name:
            shutil.rmtree(leftover, ignore_errors=True)


def drop_attempt(run: IngestionRun) -> None:
    """Remove the spill files of the run's current attempt."""
    shutil.rmtree(spill_dir(run), ignore_errors=True)


class Spill:
    """Conformed chunks written to `buckets` Arrow IPC files, each row to the bucket of its natural key (a
    hash of the key's columns): all rows of one key land in one bucket, so a bucket summed alone gives that
    key's total for the whole file, and only one bucket is ever held in memory."""

    def __init__(self, directory: Path, buckets: int):
        self.directory, self.buckets, self.rows = directory, buckets, 0
        self.schema: pa.Schema | None = None
        self.writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}

    @classmethod
    def for_run(cls, run: IngestionRun) -> "Spill":
        """The spill of the run's current attempt, one bucket per SPILL_BUCKET_BYTES of the file."""
        return cls(spill_dir(run), max(1, -(-run.bytes_total // SPILL_BUCKET_BYTES)))

    def path(self, bucket: int) -> Path:
        return self.directory / f"{bucket}.arrow"

    def add(self, chunk: pd.DataFrame) -> None:
        """Write a conformed chunk's rows to their buckets."""
        table = pa.Table.from_pandas(chunk, schema=self.schema, preserve_index=False)
        if self.schema is None:
            self.schema = table.schema
            self.directory.mkdir(parents=True, exist_ok=True)
        self.rows += len(chunk)
        if self.buckets == 1:
            self._write(0, table)
            return
        bucket = (
            pd.util.hash_pandas_object(chunk[GROUP_COLUMNS], index=False).to_numpy() % np.uint64(self.buckets)
        ).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        for b in range(self.buckets):
            if bounds[b] < bounds[b + 1]:
                self._write(b, table.take(pa.array(order[bounds[b] : bounds[b + 1]])))

    def _write(self, bucket: int, table: pa.Table) -> None:
        if bucket not in self.writers:
            self.writers[bucket] = pa.ipc.new_stream(str(self.path(bucket)), self.schema)
        self.writers[bucket].write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    @property
    def parts(self) -> int:
        """How many frames frames() yields (the buckets written to)."""
        return len(self.writers)

    def frames(self):
        """Each bucket's rows summed by natural key, one conformed frame at a time."""
        for bucket in sorted(self.writers):
            with pa.ipc.open_stream(str(self.path(bucket))) as reader:
                table = reader.read_all()
            frame = table.to_pandas()
            del table
            yield aggregate(usage_frame.conform(frame))
