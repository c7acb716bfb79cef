"""Pure domain layer of the orders service: rules only — no I/O, no clock, no framework.

Modules, by business concept:
    money, inputs, customer, history   value types and input rules shared by the others
    intake                             channels, order lines, totals, payload fingerprint, ids
    status, order_record, order        the Order aggregate, its status graph and inventory saga
    shipping, verification, fulfilment parcels, 验货, pick lists
    backorder, review_batch, waves     backorder allocation, 审单 batches, shipping waves
    invoice, logistics                 invoice requests, logistics exceptions
    after_sales_rules, after_sales,
    returned_goods, refunds            returns, exchanges, refunds, where returned goods go
    complaints, customer_reviews       complaints/disputes, reviews and the positive-review rate
    query                              ListOrders filter and paging validation
"""
