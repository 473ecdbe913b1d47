"""An iterator computed ahead in a background thread, so preparing the next item overlaps the work on this one."""

import queue
import threading


def prefetched(items, depth: int = 2):
    """Yield what the iterator `items` yields, computed ahead in a background thread (at most `depth` items
    waiting), so preparing the next batch overlaps the database's work on this one: sqlite3 and psycopg
    release the GIL while the database works. An exception in the thread is raised here; leaving early
    stops the thread."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consuming thread, raised there
            put(("error", exc))

    thread = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = waiting.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()
