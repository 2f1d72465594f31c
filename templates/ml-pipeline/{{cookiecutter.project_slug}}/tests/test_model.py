from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from {{ cookiecutter.module_name }}.data import TARGET, features
from {{ cookiecutter.module_name }}.model import make_model


def test_model_beats_chance_on_held_out_orders(params, orders):
    x, y = features(orders, params), orders[TARGET]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, stratify=y, random_state=1)
    model = make_model(params).fit(x_tr, y_tr)
    assert roc_auc_score(y_te, model.predict_proba(x_te)[:, 1]) > 0.6
