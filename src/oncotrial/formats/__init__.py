"""File formats: reading and writing the files oncotrial exchanges (DESIGN's export layer).

Everything here touches the file system; the core packages below only see parsed values.
"""
