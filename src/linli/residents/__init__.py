"""Residents (居民): phone-first accounts, family members, consent and personal data (PIPL),
finding services by walking distance, booking, rating and complaints.

Personal data follows 个人信息保护法: minimum collected, purpose and retention on the privacy
page, separate consent for sensitive data and guardian consent for children under 14
(第二十八、二十九、三十一条), phones and ID numbers masked by role, every clear view of a
sensitive field logged, and a resident's own data downloadable and erasable.
"""
