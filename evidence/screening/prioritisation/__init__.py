"""Active-learning prioritisation of the title/abstract screening queue.

engine.py holds the model and the query strategy (scikit-learn, no Django),
metrics.py the simulation metrics, simulation.py the replay of a labelled
dataset through exactly the engine the queue uses.
"""
