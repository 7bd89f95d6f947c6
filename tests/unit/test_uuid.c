/*
 * test_uuid.c — name-based UUIDs against published vectors: RFC 9562
 * Appendix A.4 (v5 of "www.example.com" in the DNS namespace) and the
 * Python documentation's uuid5(NAMESPACE_DNS, 'python.org').
 */
#include "testhelp.h"

#include "core/uuid.h"

#define NS_DNS "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

static void test_vectors(void)
{
	char u[37];

	CHECK(uuid_v5(NS_DNS, "www.example.com", 15, u));
	CHECKF(strcmp(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2") == 0, "got %s", u);
	CHECK(uuid_v5(NS_DNS, "python.org", 10, u));
	CHECKF(strcmp(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d") == 0, "got %s", u);
	/* version 5 and the RFC 4122 variant whatever the name */
	CHECK(uuid_v5(UUID_NS_STIX, "", 0, u));
	CHECK(u[14] == '5' && strchr("89ab", u[19]) != NULL);
}

static void test_bad_namespace(void)
{
	char u[37];

	CHECK(!uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c", "x", 1, u));
	CHECK(!uuid_v5("6ba7b810x9dad-11d1-80b4-00c04fd430c8", "x", 1, u));
	CHECK(!uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430cg", "x", 1, u));
	CHECK(!uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c88", "x", 1, u));
}

int main(void)
{
	RUN(test_vectors);
	RUN(test_bad_namespace);
	DONE();
}
