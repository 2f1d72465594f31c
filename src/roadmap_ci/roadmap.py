"""The curriculum: phases, weeks, topics and deliverables, as data.

Each deliverable maps to a template (``templates/<id>``) and a rubric (``rubrics/<id>.yaml``);
``paths.templates_dir()`` and ``paths.rubrics_dir()`` find them in a checkout or an installed wheel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Phase:
    id: str
    number: str
    title: str
    weeks: tuple[int, int]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Deliverable:
    id: str
    phase: str
    weeks: tuple[int, int]
    title: str
    produces: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def template(self) -> str:
        return f"templates/{self.id}"

    @property
    def rubric(self) -> str:
        return f"rubrics/{self.id}.yaml"


PHASES: tuple[Phase, ...] = (
    Phase("maths", "1", "Maths for ML", (1, 8), (
        "vectors, matrices, dot products", "eigenvalues, SVD, PCA", "matrix factorisation",
        "derivatives, chain rule, gradients", "backpropagation", "SGD, Adam, learning rates",
        "Bayes, distributions, MLE", "hypothesis tests, p-values", "entropy, cross-entropy, KL divergence",
        "mutual information")),
    Phase("classical-ml", "2", "Classical ML (sklearn, XGBoost, feature engineering)", (9, 20), (
        "linear, ridge, lasso, polynomial regression", "MAE, RMSE, R²", "logistic regression, decision trees",
        "random forest, XGBoost, LightGBM", "precision/recall", "k-means, DBSCAN, PCA, t-SNE",
        "isolation forest anomaly detection", "SMOTE, class weights", "cross-validation, Optuna, SHAP")),
    Phase("deep-learning", "3", "Deep learning & PyTorch", (21, 34), (
        "neurons, activations, backprop", "SGD, Adam, AdamW", "batch norm, dropout", "CNNs, ResNet, EfficientNet",
        "detection (YOLO, DETR)", "transfer learning", "BERT, GPT, attention", "Hugging Face, fine-tuning",
        "autograd, nn.Module, DataLoader", "mixed precision, distributed training")),
    Phase("genai", "4A", "Generative AI, LLMs, RAG", (35, 46), (
        "zero/few-shot, chain-of-thought", "system prompts, JSON mode", "chunking, embeddings, vector DB",
        "Chroma, Pinecone, hybrid search", "chains, agents, tools", "ReAct, multi-agent (CrewAI)",
        "LoRA, QLoRA", "PEFT, TRL, Axolotl", "DPO, RLHF basics")),
    Phase("mlops", "4B", "MLOps, production, serving", (35, 46), (
        "MLflow, W&B, DVC", "model registry, data versioning", "FastAPI, BentoML, Triton",
        "vLLM, quantization, ONNX", "Evidently, data drift, concept drift", "GitHub Actions, Airflow")),
    Phase("specialisation", "5", "Specialisation", (47, 58), (
        "recommender systems", "time series", "graph neural networks")),
    Phase("capstone", "6", "Industry capstone", (55, 65), (
        "two-tower NCF + matrix factorisation", "feature store (Feast), Redis cache", "A/B testing, drift monitoring",
        "LangChain, an LLM, a vector database", "RAGAS-style evaluation", "streaming FastAPI service",
        "QLoRA fine-tuning, tracing")),
)

_D = Deliverable
DELIVERABLES: tuple[Deliverable, ...] = (
    _D("math-foundations", "maths", (1, 8), "Maths problem sets + a notebook",
       ("notebook executed end to end", "problem-set answers checked by tests"),
       ("linear algebra", "calculus & optimisation", "probability & statistics", "information theory")),
    _D("tabular-regression", "classical-ml", (9, 11), "Kaggle-style tabular regression",
       ("metrics.json (MAE, RMSE, R²)", "predictions.csv for the hidden test set", "residual plot"),
       ("linear, ridge, lasso, polynomial", "MAE, RMSE, R²", "feature engineering")),
    _D("tabular-classification", "classical-ml", (12, 14), "Kaggle-style tabular classification",
       ("metrics.json (precision, recall, F1, ROC-AUC)", "predictions.csv for the hidden test set",
        "confusion matrix and ROC plots"),
       ("logistic regression, trees, random forest", "XGBoost, LightGBM", "precision/recall")),
    _D("unsupervised", "classical-ml", (15, 17), "Clustering and anomaly detection",
       ("metrics.json (silhouette, …)", "anomaly scores for the hidden labelled set", "cluster projection plot"),
       ("k-means, DBSCAN", "PCA, t-SNE", "isolation forest")),
    _D("imbalanced-tuning", "classical-ml", (18, 20), "Imbalanced classification with tuning",
       ("metrics.json (PR-AUC, recall, F1)", "predictions.csv", "SHAP summary"),
       ("SMOTE, class weights", "cross-validation", "Optuna", "SHAP")),
    _D("image-classifier", "deep-learning", (21, 27), "An image classifier in PyTorch",
       ("metrics.json (accuracy, macro F1)", "training curves", "predictions.csv"),
       ("CNNs", "batch norm, dropout, AdamW", "transfer learning", "mixed precision, device selection")),
    _D("nlp-pipeline", "deep-learning", (28, 34), "An NLP pipeline in PyTorch",
       ("metrics.json (accuracy, macro F1)", "training curves", "predictions.csv"),
       ("tokenisation", "attention / transformers", "fine-tuning a pretrained encoder")),
    _D("rag-chatbot", "genai", (35, 40), "A RAG chatbot with citations",
       ("metrics.json (hit@k, MRR, faithfulness)", "a FastAPI service with streaming"),
       ("chunking, embeddings", "vector DB (Chroma)", "hybrid search", "RAG evaluation")),
    _D("agent-app", "genai", (41, 46), "An agent app with tools",
       ("metrics.json (task success)", "a tool-using agent with traces"),
       ("chains, agents, tools", "ReAct", "JSON mode")),
    _D("ml-pipeline", "mlops", (35, 46), "An automated ML pipeline",
       ("a registered model in MLflow", "a FastAPI service", "a drift report"),
       ("MLflow registry", "DVC", "FastAPI", "Evidently drift", "scheduled retraining")),
    _D("recsys", "specialisation", (47, 58), "A recommender system",
       ("metrics.json (precision@k, NDCG)", "recommendations for hidden users"),
       ("collaborative filtering", "matrix factorisation", "ranking metrics")),
    _D("time-series", "specialisation", (47, 58), "A time-series forecaster",
       ("metrics.json (MASE, sMAPE)", "forecasts for the hidden horizon"),
       ("backtesting", "seasonality", "forecast metrics")),
    _D("gnn", "specialisation", (47, 58), "A graph neural network",
       ("metrics.json (node classification accuracy)", "predictions for hidden nodes"),
       ("message passing", "GCN, GraphSAGE")),
    _D("capstone-recsys", "capstone", (55, 65), "Capstone: a production recommendation engine",
       ("a service with a feature store and cache", "A/B test analysis", "drift monitoring"),
       ("two-tower NCF", "Feast, Redis", "A/B testing")),
    _D("capstone-rag-docqa", "capstone", (55, 65), "Capstone: RAG + LLM document QA",
       ("a streaming FastAPI service", "RAGAS-style evaluation", "tracing"),
       ("LangChain, vector DB", "RAGAS", "QLoRA")),
)


def phase(phase_id: str) -> Phase:
    return next(p for p in PHASES if p.id == phase_id)


def deliverable(deliverable_id: str) -> Deliverable | None:
    return next((d for d in DELIVERABLES if d.id == deliverable_id), None)


def catalog() -> dict[str, object]:
    """The whole roadmap as plain data (what ``roadmap-ci roadmap --json`` prints)."""
    from roadmap_ci.paths import bundled_rubric_ids, templates_dir

    tdir, rubric_ids = templates_dir(), set(bundled_rubric_ids())
    phases = []
    for p in PHASES:
        items = []
        for d in DELIVERABLES:
            if d.phase != p.id:
                continue
            row = asdict(d)
            row["weeks"] = list(d.weeks)
            row["produces"] = list(d.produces)
            row["topics"] = list(d.topics)
            row["template"] = d.template
            row["rubric"] = d.rubric
            row["template_available"] = (tdir / d.id / "cookiecutter.json").is_file()
            row["rubric_available"] = d.id in rubric_ids
            items.append(row)
        phases.append({"id": p.id, "phase": p.number, "title": p.title, "weeks": list(p.weeks),
                       "topics": list(p.topics), "deliverables": items})
    return {"weeks": 65, "phases": phases}
