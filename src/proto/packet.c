/* SPDX-License-Identifier: MIT */
/*
 * packet.c - packet framing (spec/protocol.md §3): a message (id, type,
 * data) travels as one header packet and ceil(len/1024) data packets.
 *
 * The encoder lays every packet out in one allocation with caller-chosen
 * headroom before each packet, so that a libwebsockets sender can hand each
 * packet to lws_write() in place (it needs LWS_PRE writable bytes before
 * the frame).  The reader is the SDKs' one-message-at-a-time state machine
 * with limits, reporting every violation instead of silently dropping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

enum reader_state {
	READER_IDLE = 0,
	READER_BODY,
	READER_ERROR,
};

void proto_limits_default(struct proto_limits *limits)
{
	limits->max_message = PROTO_DEFAULT_MAX_MESSAGE;
	limits->max_packets = PROTO_DEFAULT_MAX_PACKETS;
	limits->max_type = PROTO_DEFAULT_MAX_TYPE;
	limits->max_depth = PROTO_DEFAULT_MAX_DEPTH;
}

size_t proto_packet_count(size_t len)
{
	return len / PROTO_SLICE + (len % PROTO_SLICE != 0);
}

/* Copies `n` bytes of the logical concatenation of iov, from *pos on. */
static void iov_copy(uint8_t *dst, size_t n, const struct proto_iov *iov,
		     size_t niov, size_t *idx, size_t *off)
{
	size_t take;

	while (n > 0 && *idx < niov) {
		take = iov[*idx].len - *off;
		if (take > n)
			take = n;
		memcpy(dst, (const uint8_t *)iov[*idx].base + *off, take);
		dst += take;
		n -= take;
		*off += take;
		if (*off == iov[*idx].len) {
			(*idx)++;
			*off = 0;
		}
	}
}

int proto_packets_encodev(struct proto_packets *out, uint64_t id,
			  const char *type, const struct proto_iov *iov,
			  size_t niov, size_t headroom)
{
	size_t total = 0, type_len, count, n, i, bytes, arr, pos, idx = 0,
	       off = 0, slice;
	struct proto_packet *v;
	uint8_t *mem, *p;

	memset(out, 0, sizeof(*out));
	if (id > PROTO_ID_MAX || !type || !*type)
		return -EINVAL;
	for (i = 0; i < niov; i++) {
		if (iov[i].len > SIZE_MAX / 2 - total)
			return -EINVAL;
		total += iov[i].len;
	}
	type_len = strlen(type);
	count = proto_packet_count(total);
	if (count > UINT32_MAX)
		return -EINVAL;
	n = count + 1;
	/* Data packets: their fixed parts and headroom; then all the data,
	 * the header packet and its headroom. */
	if (headroom > (SIZE_MAX / 4) / n || type_len > SIZE_MAX / 4)
		return -EINVAL;
	bytes = n * headroom + count * PROTO_DATA_PACKET_FIXED + total +
		PROTO_HEADER_PACKET_FIXED + type_len;
	arr = n * sizeof(*v);
	/* Keep the byte area aligned like malloc's result. */
	arr = (arr + 15) & ~(size_t)15;
	if (bytes > SIZE_MAX - arr)
		return -ENOMEM;
	mem = malloc(arr + bytes);
	if (!mem)
		return -ENOMEM;
	v = (struct proto_packet *)(void *)mem;
	p = mem + arr;
	pos = headroom;
	v[0].data = p + pos;
	v[0].len = PROTO_HEADER_PACKET_FIXED + type_len;
	util_store_be64(v[0].data, id);
	util_store_be32(v[0].data + 8, 0);
	util_store_be32(v[0].data + 12, (uint32_t)count);
	memcpy(v[0].data + 16, type, type_len);
	pos += v[0].len;
	for (i = 1; i < n; i++) {
		slice = total - (i - 1) * PROTO_SLICE;
		if (slice > PROTO_SLICE)
			slice = PROTO_SLICE;
		pos += headroom;
		v[i].data = p + pos;
		v[i].len = PROTO_DATA_PACKET_FIXED + slice;
		util_store_be64(v[i].data, id);
		util_store_be32(v[i].data + 8, (uint32_t)i);
		iov_copy(v[i].data + 12, slice, iov, niov, &idx, &off);
		pos += v[i].len;
	}
	out->v = v;
	out->n = n;
	out->headroom = headroom;
	out->mem = mem;
	return 0;
}

int proto_packets_encode(struct proto_packets *out, uint64_t id,
			 const char *type, const void *data, size_t len,
			 size_t headroom)
{
	struct proto_iov iov = { data, len };

	return proto_packets_encodev(out, id, type, &iov, len ? 1 : 0,
				     headroom);
}

void proto_packets_free(struct proto_packets *p)
{
	if (!p)
		return;
	free(p->mem);
	memset(p, 0, sizeof(*p));
}

void proto_message_free(struct proto_message *m)
{
	if (!m)
		return;
	free(m->type);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

void proto_reader_init(struct proto_reader *r,
		       const struct proto_limits *limits)
{
	memset(r, 0, sizeof(*r));
	if (limits)
		r->limits = *limits;
	else
		proto_limits_default(&r->limits);
	r->state = READER_IDLE;
}

static void reader_drop(struct proto_reader *r, int state)
{
	free(r->type);
	r->type = NULL;
	util_buf_free(&r->data);
	r->count = 0;
	r->next = 0;
	r->state = state;
}

void proto_reader_free(struct proto_reader *r)
{
	reader_drop(r, READER_IDLE);
}

static int deliver(struct proto_reader *r, struct proto_message *out,
		   struct util_error *err)
{
	uint8_t *data;
	size_t len;

	if (util_buf_steal(&data, &len, &r->data) < 0) {
		reader_drop(r, READER_ERROR);
		util_error_set(err, -1, "out of memory");
		return -ENOMEM;
	}
	out->id = r->id;
	out->type = r->type;
	out->data = data;
	out->len = len;
	r->type = NULL;
	r->count = 0;
	r->next = 0;
	r->state = READER_IDLE;
	return 1;
}

static int feed_header(struct proto_reader *r, struct proto_message *out,
		       const uint8_t *p, size_t len, struct util_error *err)
{
	uint64_t id = util_load_be64(p);
	uint32_t count;
	size_t type_len = len - PROTO_HEADER_PACKET_FIXED;
	const uint8_t *type = p + PROTO_HEADER_PACKET_FIXED;

	if (r->state == READER_BODY) {
		util_error_set(err, 0,
			       "header packet of message %llu while message "
			       "%llu has %u of %u data packets (interleaved "
			       "messages; both dropped)",
			       (unsigned long long)id,
			       (unsigned long long)r->id, r->next - 1,
			       r->count);
		reader_drop(r, READER_ERROR);
		return -EPROTO;
	}
	r->state = READER_ERROR; /* until the header is accepted */
	if (len < PROTO_HEADER_PACKET_FIXED) {
		util_error_set(err, (long long)len,
			       "header packet of %zu bytes is shorter than "
			       "16",
			       len);
		return -EBADMSG;
	}
	count = util_load_be32(p + 12);
	if (id > PROTO_ID_MAX) {
		util_error_set(err, 0,
			       "header packet: message id %llu exceeds "
			       "2^53-1",
			       (unsigned long long)id);
		return -EBADMSG;
	}
	if (count > r->limits.max_packets) {
		util_error_set(err, 12,
			       "header packet of message %llu: %u data "
			       "packets exceed the limit of %u",
			       (unsigned long long)id, count,
			       r->limits.max_packets);
		return -EMSGSIZE;
	}
	if (type_len == 0) {
		util_error_set(err, 16,
			       "header packet of message %llu: empty type",
			       (unsigned long long)id);
		return -EBADMSG;
	}
	if (type_len > r->limits.max_type) {
		util_error_set(err, 16,
			       "header packet of message %llu: type of %zu "
			       "bytes exceeds the limit of %zu",
			       (unsigned long long)id, type_len,
			       r->limits.max_type);
		return -EMSGSIZE;
	}
	if (memchr(type, 0, type_len)) {
		util_error_set(err,
			       16 + (long long)((const uint8_t *)memchr(
							type, 0, type_len) -
						type),
			       "header packet of message %llu: NUL byte in "
			       "the type",
			       (unsigned long long)id);
		return -EBADMSG;
	}
	r->type = strndup((const char *)type, type_len);
	if (!r->type) {
		util_error_set(err, -1, "out of memory");
		return -ENOMEM;
	}
	util_buf_init(&r->data);
	r->id = id;
	r->count = count;
	r->next = 1;
	r->state = READER_BODY;
	if (count == 0)
		return deliver(r, out, err);
	return 0;
}

int proto_reader_feed(struct proto_reader *r, struct proto_message *out,
		      const void *packet, size_t len, struct util_error *err)
{
	const uint8_t *p = packet;
	uint64_t id;
	uint32_t index;
	size_t n;

	r->packets++;
	if (len < PROTO_DATA_PACKET_FIXED) {
		util_error_set(err, (long long)len,
			       "packet of %zu bytes is shorter than 12", len);
		if (r->state == READER_BODY)
			reader_drop(r, READER_ERROR);
		return -EBADMSG;
	}
	id = util_load_be64(p);
	index = util_load_be32(p + 8);
	if (index == 0)
		return feed_header(r, out, p, len, err);
	if (r->state == READER_ERROR)
		return 0; /* the rest of a dropped message */
	if (r->state != READER_BODY) {
		util_error_set(err, 8,
			       "data packet %u of message %llu without a "
			       "header packet",
			       index, (unsigned long long)id);
		reader_drop(r, READER_ERROR);
		return -EPROTO;
	}
	if (id != r->id) {
		util_error_set(err, 0,
			       "data packet %u of message %llu while "
			       "message %llu is in progress (dropped)",
			       index, (unsigned long long)id,
			       (unsigned long long)r->id);
		reader_drop(r, READER_ERROR);
		return -EPROTO;
	}
	if (index != r->next) {
		util_error_set(err, 8,
			       "message %llu: data packet %u where %u of %u "
			       "was expected (dropped)",
			       (unsigned long long)id, index, r->next,
			       r->count);
		reader_drop(r, READER_ERROR);
		return -EPROTO;
	}
	n = len - PROTO_DATA_PACKET_FIXED;
	if (n > r->limits.max_message - r->data.len ||
	    r->data.len > r->limits.max_message) {
		util_error_set(err, 12,
			       "message %llu: data packet %u makes the "
			       "message larger than the limit of %zu bytes "
			       "(dropped)",
			       (unsigned long long)id, index,
			       r->limits.max_message);
		reader_drop(r, READER_ERROR);
		return -EMSGSIZE;
	}
	util_buf_put(&r->data, p + PROTO_DATA_PACKET_FIXED, n);
	if (util_buf_error(&r->data) < 0) {
		util_error_set(err, -1, "out of memory");
		reader_drop(r, READER_ERROR);
		return -ENOMEM;
	}
	if (index == r->count)
		return deliver(r, out, err);
	r->next++;
	return 0;
}
