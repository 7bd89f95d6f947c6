# bench/gen_eve.awk — N lines of Suricata EVE JSON in the shapes Suricata 6/7
# writes (flow, alert with flow and metadata, dns, http, tls, fileinfo),
# addresses random, for bench/ingest.sh.   mawk -v N=1000000 -f gen_eve.awk
BEGIN {
	srand(11);
	t = 1764201600;
	for (i = 0; i < N; i++) {
		t += 0.0007;
		sec = int(t); us = int((t - sec) * 1000000);
		ts = sprintf("2025-11-27T%02d:%02d:%02d.%06d+0000", int(sec / 3600) % 24, int(sec / 60) % 60, sec % 60, us);
		src = sprintf("%d.%d.%d.%d", 1 + int(rand() * 222), int(rand() * 256), int(rand() * 256), int(rand() * 256));
		dst = sprintf("10.%d.%d.%d", int(rand() * 256), int(rand() * 256), int(rand() * 256));
		sp = 1024 + int(rand() * 60000);
		fid = 1000000000000 + i * 7919;
		head = sprintf("{\"timestamp\":\"%s\",\"flow_id\":%.0f,\"in_iface\":\"eth0\",\"event_type\":\"%%s\",\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":%%d,\"proto\":\"%%s\"", ts, fid, src, sp, dst);
		k = i % 6;
		if (k == 0)
			printf head ",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":%d,\"pkts_toclient\":%d,\"bytes_toserver\":%d,\"bytes_toclient\":%d,\"start\":\"%s\",\"end\":\"%s\",\"age\":0,\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"closed\"}}\n", "flow", 443, "TCP", 1 + int(rand() * 20), int(rand() * 20), int(rand() * 9000), int(rand() * 90000), ts, ts;
		else if (k == 1)
			printf head ",\"tx_id\":0,\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%d,\"rev\":3,\"signature\":\"ET SCAN Suspicious inbound to MSSQL port 1433\",\"category\":\"Potentially Bad Traffic\",\"severity\":2,\"metadata\":{\"created_at\":[\"2010_07_30\"],\"updated_at\":[\"2019_07_26\"]}},\"flow\":{\"pkts_toserver\":1,\"pkts_toclient\":0,\"bytes_toserver\":60,\"bytes_toclient\":0,\"start\":\"%s\"}}\n", "alert", 1433, "TCP", 2010935 + (i % 50), ts;
		else if (k == 2)
			printf head ",\"dns\":{\"type\":\"query\",\"id\":%d,\"rrname\":\"host%d.example.com\",\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}}\n", "dns", 53, "UDP", i % 65536, i % 9973;
		else if (k == 3)
			printf head ",\"tx_id\":0,\"http\":{\"hostname\":\"www%d.example.org\",\"url\":\"/index.php?id=%d\",\"http_user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\",\"http_content_type\":\"text/html\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":%d}}\n", "http", 80, "TCP", i % 997, i, int(rand() * 50000);
		else if (k == 4)
			printf head ",\"tls\":{\"subject\":\"CN=www.example.net\",\"issuerdn\":\"C=US, O=Let's Encrypt, CN=R3\",\"serial\":\"04:A3:11\",\"fingerprint\":\"b4:3f:41:27:5d:c9:8c:26:9f:c0:5e:21:0a:54:5e:39:ed:2f:1a:11\",\"sni\":\"www%d.example.net\",\"version\":\"TLS 1.2\",\"notbefore\":\"2025-01-01T00:00:00\",\"notafter\":\"2026-01-01T00:00:00\",\"ja3\":{\"hash\":\"e7d705a3286e19ea42f587b344ee6865\"},\"ja3s\":{\"hash\":\"f4febc55ea12b31ae17cfb7e614afda8\"}}}\n", "tls", 443, "TCP", i % 991;
		else
			printf head ",\"http\":{\"hostname\":\"files.example.org\",\"url\":\"/dl/%d.exe\",\"http_user_agent\":\"curl/7.88.1\"},\"app_proto\":\"http\",\"fileinfo\":{\"filename\":\"/dl/%d.exe\",\"magic\":\"PE32 executable\",\"gaps\":false,\"state\":\"CLOSED\",\"md5\":\"%032x\",\"sha1\":\"a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\",\"stored\":false,\"size\":%d,\"tx_id\":0}}\n", "fileinfo", 80, "TCP", i, i, i, int(rand() * 900000);
	}
}
