/* SPDX-License-Identifier: MIT */
/*
 * mime.c - the MIME type of a file name, as the TypeScript SDK 0.39.9
 * guesses it for uploads (_defaultUploadMimeType): the client sends it in
 * an upload's start chunk and the server answers it in downloads, so both
 * sides share this one table.
 */
#include <string.h>
#include <strings.h>

#include "proto.h"

static const char *const mime_suffix[][2] = {
	{ ".tar.gz", "application/x-tar" },
	{ ".tgz", "application/x-tar" },
};

static const char *const mime_ext[][2] = {
	{ ".bin", "application/octet-stream" },
	{ ".css", "text/css" },
	{ ".csv", "text/csv" },
	{ ".gif", "image/gif" },
	{ ".gz", "application/gzip" },
	{ ".htm", "text/html" },
	{ ".html", "text/html" },
	{ ".jpeg", "image/jpeg" },
	{ ".jpg", "image/jpeg" },
	{ ".js", "text/javascript" },
	{ ".json", "application/json" },
	{ ".md", "text/markdown" },
	{ ".mp3", "audio/mpeg" },
	{ ".mp4", "video/mp4" },
	{ ".pdf", "application/pdf" },
	{ ".png", "image/png" },
	{ ".svg", "image/svg+xml" },
	{ ".tar", "application/x-tar" },
	{ ".txt", "text/plain" },
	{ ".ts", "text/typescript" },
	{ ".tsx", "text/tsx" },
	{ ".wasm", "application/wasm" },
	{ ".webp", "image/webp" },
	{ ".xml", "application/xml" },
	{ ".yaml", "application/yaml" },
	{ ".yml", "application/yaml" },
	{ ".zip", "application/zip" },
};

const char *proto_mime_type(const char *name)
{
	size_t i, n = strlen(name);
	const char *dot;

	for (i = 0; i < sizeof(mime_suffix) / sizeof(mime_suffix[0]); i++) {
		size_t k = strlen(mime_suffix[i][0]);

		if (n >= k && !strcasecmp(name + n - k, mime_suffix[i][0]))
			return mime_suffix[i][1];
	}
	dot = strrchr(name, '.');
	if (dot)
		for (i = 0; i < sizeof(mime_ext) / sizeof(mime_ext[0]); i++)
			if (!strcasecmp(dot, mime_ext[i][0]))
				return mime_ext[i][1];
	return "application/octet-stream";
}
