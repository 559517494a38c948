"""Tenant-owned rows: the mixin, the scoped lookup and the ORM backstop."""

from contextlib import contextmanager
from contextvars import ContextVar

from flask import abort, g
from sqlalchemy import ForeignKey, event, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column, with_loader_criteria

_current_tenant_id: ContextVar[int | None] = ContextVar("flashmall_tenant_id", default=None)


class TenantOwned:
    """Mixin for every row that belongs to one brand."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


def bind_tenant(tenant_id: int | None):
    """Scope this request's (or job's) ORM queries to one tenant; returns a reset token."""
    return _current_tenant_id.set(tenant_id)


def unbind_tenant(token) -> None:
    _current_tenant_id.reset(token)


@contextmanager
def tenant_scope(tenant_id: int):
    """For jobs and scripts: `with tenant_scope(tenant_id): ...`."""
    token = bind_tenant(tenant_id)
    try:
        yield
    finally:
        unbind_tenant(token)


def get_for_tenant_or_404(model, row_id):
    """The one way to fetch a tenant's row by id: another brand's row is a 404."""
    tenant = g.get("tenant")
    if tenant is None:
        abort(404)
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        abort(404)
    from mall.extensions import db
    from mall.ids import is_row_id

    if not is_row_id(row_id):  # beyond an INTEGER column: no such row (and no database error)
        abort(404)

    row = db.session.scalar(select(model).where(model.id == row_id, model.tenant_id == tenant.id))
    if row is None:
        abort(404)
    return row


@event.listens_for(Session, "do_orm_execute")
def _filter_tenant_owned(state: ORMExecuteState) -> None:
    # Backstop: while a tenant is bound, tenant-owned queries can only see that tenant.
    tenant_id = _current_tenant_id.get()
    if tenant_id is None or state.execution_options.get("all_tenants"):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
        )
