"""ichub's ground floor and roof.

Ground floor (imports no other app; every app may import it): the Review,
its memberships and operational definitions (`models`), who may do what
(`permissions`), the API's domain-free plumbing (`drf`, `pagination`,
`etags`, `renderers`, `throttling`), bulk writes (`bulk`), versioning
(`versioning`), keys and fields (`keys`, `fields`), search plumbing
(`search`), drawing (`svg`), settings, health and security middleware.

Roof (imports every app; nothing imports it): the project's URLs (`urls`,
`api_urls`, `web_urls`), the home page, dashboard and search page (`views`),
and the review endpoints (`api`).
"""
