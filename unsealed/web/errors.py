"""Errors: JSON `{"error": {"status", "message"}}` under /api, an HTML page elsewhere; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from unsealed.errors import NotFoundError, UnsealedError
from unsealed.web.templating import render

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """Every error the API answers: `{"error": {"status", "message"}}`."""

    error: ErrorDetail


# Documented on every /api/v1 operation (OpenAPI): what any of them may answer besides 200.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A query or option the API cannot run; the message says why"},
    404: {"model": ErrorBody, "description": "No such document, page, entity or Bates number"},
    422: {"model": ErrorBody, "description": "A parameter of the wrong type or out of range"},
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = error_response(request, exc.status_code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422 if wants_json(request) else 400, _validation_message(exc))

    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_response(request, 404, str(exc))

    async def library_error(request: Request, exc: UnsealedError) -> Response:
        return error_response(request, 400, str(exc))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error_response(request, 500, "internal error; the server log has the details")

    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(NotFoundError, not_found)  # type: ignore[arg-type]
    app.add_exception_handler(UnsealedError, library_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error)
