#include <string.h>
#include <zlib.h>

// Inflates a raw DEFLATE stream (a zip member, method 8) into exactly `destination_size` bytes.
// Returns 0 on success, -1 when the data is corrupt or does not fill the destination exactly.
static inline int athanor_inflate_raw(const unsigned char *source, size_t source_size,
                                      unsigned char *destination, size_t destination_size) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, -15) != Z_OK) return -1;
    int status = Z_OK;
    size_t in_done = 0, out_done = 0;
    // zlib counts in uInt: feed the input and take the output in pieces below 1 GiB.
    while (status == Z_OK) {
        size_t in_chunk = source_size - in_done, out_chunk = destination_size - out_done;
        if (in_chunk > (1u << 30)) in_chunk = 1u << 30;
        if (out_chunk > (1u << 30)) out_chunk = 1u << 30;
        stream.next_in = (Bytef *)(source + in_done);
        stream.avail_in = (uInt)in_chunk;
        stream.next_out = destination + out_done;
        stream.avail_out = (uInt)out_chunk;
        status = inflate(&stream, Z_NO_FLUSH);
        in_done += in_chunk - stream.avail_in;
        out_done += out_chunk - stream.avail_out;
        if (status == Z_OK && stream.avail_in == in_chunk && stream.avail_out == out_chunk) break;  // no progress
        if (status == Z_BUF_ERROR && out_done == destination_size) break;
    }
    inflateEnd(&stream);
    return (status == Z_STREAM_END && out_done == destination_size) ? 0 : -1;
}
