"""Geography without Django: CRS handling, Chinese map offsets (GCJ-02, BD-09), vector IO."""
