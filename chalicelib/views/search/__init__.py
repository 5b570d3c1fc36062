"""The search read model: the search document of a ticket (document.py), what a search asks for and who may
find what (query.py), the indexer and the search use cases (indexer.py, service.py) and their ports (ports.py).
The engine and its storage are adapters (adapters/search_engine.py, adapters/search_store.py); the index queue's
consumer is events/search_index.py. See docs/search.md."""
