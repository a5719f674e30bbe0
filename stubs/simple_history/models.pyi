import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, overload

from django.db import models
from django.http import HttpRequest

class HistoricalQuerySet(models.QuerySet[Any]): ...

class HistoryManager(models.Manager[Any]):
    def most_recent(self) -> models.Model: ...
    def as_of(self, date: Any) -> Any: ...

class HistoricalRecords:
    # The request being served, kept per thread by HistoryRequestMiddleware.
    context: ClassVar[threading.local]
    thread: ClassVar[threading.local]
    def __init__(
        self,
        verbose_name: str | None = None,
        verbose_name_plural: str | None = None,
        bases: Sequence[type[models.Model]] = ...,
        user_related_name: str = "+",
        table_name: str | None = None,
        inherit: bool = False,
        excluded_fields: Sequence[str] | None = None,
        history_id_field: models.Field[Any, Any] | None = None,
        history_change_reason_field: models.Field[Any, Any] | None = None,
        user_model: type[models.Model] | str | None = None,
        get_user: Callable[..., models.Model | None] = ...,
        cascade_delete_history: bool = False,
        custom_model_name: str | Callable[[str], str] | None = None,
        app: str | None = None,
        related_name: str | None = None,
        use_base_model_db: bool = False,
        user_db_constraint: bool = True,
        m2m_fields: Sequence[str | models.ManyToManyField[Any, Any]] = (),
    ) -> None: ...
    # On a model class and on its instances the attribute reads as the history manager.
    @overload
    def __get__(self, instance: None, owner: type[models.Model]) -> HistoryManager: ...
    @overload
    def __get__(self, instance: models.Model, owner: type[models.Model]) -> HistoryManager: ...
    def get_history_user(self, instance: models.Model) -> models.Model | None: ...
    def get_user(
        self, instance: models.Model, request: HttpRequest | None = ...
    ) -> models.Model | None: ...
