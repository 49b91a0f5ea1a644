{
    "name": "Dealership: Client Segmentation from Sale Orders",
    "summary": "Confirmed sale orders are documents of the showroom direction: they make "
    "the client «Реальный» and count in the ABC categories",
    "version": "18.0.1.0.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_segmentation", "sale"],
    "data": ["data/dealer_segmentation_source_data.xml"],
}
