"""JSON shapes of Spot orders, order lists, trades and balances, as the API prints them
(amounts with eight decimals; conditional fields only when the docs say they appear)."""

from __future__ import annotations

from collections.abc import Sequence

from .exchange import SpotExchange
from .records import SpotOrder, SpotOrderList, SpotTrade
from .symbols import fmt8

__all__ = [
    "cancel_payload",
    "fills_payload",
    "list_payload",
    "order_ack",
    "order_query",
    "order_result",
    "trade_payload",
]


def _conditional(order: SpotOrder, body: dict[str, object], *, query: bool) -> None:
    """stopPrice and icebergQty (always on a query), trailingDelta / trailingTime, strategy."""
    if query or order.is_algo:
        body["stopPrice"] = fmt8(order.stop_price)
    if query or order.iceberg_qty:
        body["icebergQty"] = fmt8(order.iceberg_qty)
    if order.trailing_delta:
        body["trailingDelta"] = order.trailing_delta
        body["trailingTime"] = order.trailing_time_ms
    if order.strategy_id is not None:
        body["strategyId"] = order.strategy_id
    if order.strategy_type is not None:
        body["strategyType"] = order.strategy_type


def order_ack(order: SpotOrder, now_ms: int) -> dict[str, object]:
    """The ACK answer of a placement."""
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        "transactTime": now_ms,
    }


def _core(order: SpotOrder) -> dict[str, object]:
    return {
        "price": fmt8(order.price),
        "origQty": fmt8(order.qty),
        "executedQty": fmt8(order.executed_qty),
        "origQuoteOrderQty": fmt8(order.quote_order_qty),
        "cummulativeQuoteQty": fmt8(order.cum_quote),
        "status": order.status,
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
    }


def fills_payload(trades: Sequence[SpotTrade]) -> list[dict[str, object]]:
    """The ``fills`` of a FULL answer."""
    return [
        {
            "price": fmt8(t.price),
            "qty": fmt8(t.qty),
            "commission": fmt8(t.commission),
            "commissionAsset": t.commission_asset,
            "tradeId": t.trade_id,
        }
        for t in trades
    ]


def order_result(
    order: SpotOrder, now_ms: int, resp_type: str, fills: Sequence[SpotTrade]
) -> dict[str, object]:
    """A placement's answer as ``resp_type`` (ACK, RESULT or FULL) wants it."""
    body = order_ack(order, now_ms)
    if resp_type == "ACK":
        return body
    body.update(_core(order))
    body["workingTime"] = order.working_time_ms
    _conditional(order, body, query=False)
    if resp_type == "FULL":
        body["fills"] = fills_payload(fills)
    body["selfTradePreventionMode"] = order.stp_mode
    return body


def order_query(order: SpotOrder) -> dict[str, object]:
    """GET /api/v3/order (and openOrders, allOrders)."""
    body: dict[str, object] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        **_core(order),
    }
    _conditional(order, body, query=True)
    body.update(
        {
            "time": order.time_ms,
            "updateTime": order.update_time_ms,
            "isWorking": order.is_working,
            "workingTime": order.working_time_ms,
            "selfTradePreventionMode": order.stp_mode,
        }
    )
    return body


def cancel_payload(order: SpotOrder, orig_client_order_id: str, now_ms: int) -> dict[str, object]:
    """DELETE /api/v3/order's answer: the order after its cancel."""
    body: dict[str, object] = {
        "symbol": order.symbol,
        "origClientOrderId": orig_client_order_id,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        "transactTime": now_ms,
        **_core(order),
    }
    _conditional(order, body, query=False)
    body["selfTradePreventionMode"] = order.stp_mode
    return body


def list_payload(
    exchange: SpotExchange,
    order_list: SpotOrderList,
    reports: list[dict[str, object]] | None = None,
) -> dict[str, object]:
    """An order list; ``reports``: its ``orderReports`` (placement and cancel answers)."""
    orders = [exchange.orders[i] for i in order_list.order_ids]
    body: dict[str, object] = {
        "orderListId": order_list.order_list_id,
        "contingencyType": order_list.contingency_type,
        "listStatusType": order_list.list_status_type,
        "listOrderStatus": order_list.list_order_status,
        "listClientOrderId": order_list.list_client_order_id,
        "transactionTime": order_list.transaction_time_ms,
        "symbol": order_list.symbol,
        "orders": [
            {"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_order_id}
            for o in orders
        ],
    }
    if reports is not None:
        body["orderReports"] = reports
    return body


def trade_payload(trade: SpotTrade) -> dict[str, object]:
    """GET /api/v3/myTrades."""
    return {
        "symbol": trade.symbol,
        "id": trade.trade_id,
        "orderId": trade.order_id,
        "orderListId": trade.order_list_id,
        "price": fmt8(trade.price),
        "qty": fmt8(trade.qty),
        "quoteQty": fmt8(trade.quote_qty),
        "commission": fmt8(trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": trade.time_ms,
        "isBuyer": trade.is_buyer,
        "isMaker": trade.is_maker,
        "isBestMatch": True,
    }
