"""The environment helpers fail fast with a message that names the variable."""

import pytest

from chihuy.core.env import EnvError, env_bool, env_choice, env_int, env_list, env_str


@pytest.mark.parametrize("value", ["true", "True", "TRUE", " true "])
def test_env_bool_true(monkeypatch, value):
    monkeypatch.setenv("CHIHUY_T", value)
    assert env_bool("CHIHUY_T") is True


@pytest.mark.parametrize("value", ["false", "False", "FALSE"])
def test_env_bool_false(monkeypatch, value):
    monkeypatch.setenv("CHIHUY_T", value)
    assert env_bool("CHIHUY_T", default=True) is False


@pytest.mark.parametrize(
    "value", ["maybe", "2", "tru", "y", "enabled", "-1", "1", "0", "yes", "no", "on", "off"]
)
def test_env_bool_rejects_anything_else(monkeypatch, value):
    monkeypatch.setenv("CHIHUY_T", value)
    with pytest.raises(EnvError, match=r"CHIHUY_T must be true or false"):
        env_bool("CHIHUY_T")


def test_env_bool_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("CHIHUY_T", raising=False)
    assert env_bool("CHIHUY_T") is False
    assert env_bool("CHIHUY_T", default=True) is True
    monkeypatch.setenv("CHIHUY_T", "")
    assert env_bool("CHIHUY_T", default=True) is True


def test_env_str(monkeypatch):
    monkeypatch.delenv("CHIHUY_S", raising=False)
    assert env_str("CHIHUY_S") == ""
    assert env_str("CHIHUY_S", "mặc định") == "mặc định"
    with pytest.raises(EnvError, match="CHIHUY_S must be set"):
        env_str("CHIHUY_S", required=True)
    monkeypatch.setenv("CHIHUY_S", "")
    with pytest.raises(EnvError, match="CHIHUY_S must be set"):
        env_str("CHIHUY_S", required=True)
    monkeypatch.setenv("CHIHUY_S", "giá trị")
    assert env_str("CHIHUY_S", required=True) == "giá trị"


def test_file_variant_is_read_for_secrets(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("bi-mat-tu-tep\n", encoding="utf-8")
    monkeypatch.setenv("CHIHUY_S", "from-env")
    monkeypatch.setenv("CHIHUY_S_FILE", str(secret))
    assert env_str("CHIHUY_S") == "bi-mat-tu-tep"


def test_unreadable_file_variant_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("CHIHUY_S_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="CHIHUY_S_FILE"):
        env_str("CHIHUY_S")


def test_env_int(monkeypatch):
    monkeypatch.delenv("CHIHUY_I", raising=False)
    assert env_int("CHIHUY_I", 5) == 5
    monkeypatch.setenv("CHIHUY_I", "42")
    assert env_int("CHIHUY_I", 5) == 42
    monkeypatch.setenv("CHIHUY_I", "4.2")
    with pytest.raises(EnvError, match="CHIHUY_I must be an integer"):
        env_int("CHIHUY_I", 5)


def test_env_list(monkeypatch):
    monkeypatch.delenv("CHIHUY_L", raising=False)
    assert env_list("CHIHUY_L") == []
    assert env_list("CHIHUY_L", ["a"]) == ["a"]
    monkeypatch.setenv("CHIHUY_L", " a.vn, b.vn ,,c.vn ")
    assert env_list("CHIHUY_L") == ["a.vn", "b.vn", "c.vn"]
    monkeypatch.setenv("CHIHUY_L", "   ")
    assert env_list("CHIHUY_L", ["x"]) == ["x"]


def test_env_choice(monkeypatch):
    monkeypatch.delenv("CHIHUY_C", raising=False)
    assert env_choice("CHIHUY_C", ("development", "production"), "development") == "development"
    monkeypatch.setenv("CHIHUY_C", "production")
    assert env_choice("CHIHUY_C", ("development", "production"), "development") == "production"
    monkeypatch.setenv("CHIHUY_C", "prod")
    with pytest.raises(EnvError, match="CHIHUY_C must be one of development, production"):
        env_choice("CHIHUY_C", ("development", "production"), "development")
