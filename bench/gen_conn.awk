BEGIN {
  srand(7);
  print "#separator \\x09"; print "#set_separator\t,"; print "#empty_field\t(empty)"; print "#unset_field\t-"; print "#path\tconn"; print "#open\t2026-11-27-00-00-00";
  print "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents";
  print "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]";
  t = 1764201600;
  for (i = 0; i < N; i++) {
    t += 0.0005;
    printf "%.6f\tC%08x\t%d.%d.%d.%d\t%d\t10.%d.%d.%d\t%d\ttcp\t-\t%.6f\t%d\t%d\tS0\tF\tT\t0\tS\t%d\t%d\t0\t0\t-\n", t, i, 1+int(rand()*222), int(rand()*256), int(rand()*256), int(rand()*256), 1024+int(rand()*60000), int(rand()*256), int(rand()*256), int(rand()*256), (i%5==0)?22:445, rand()*3, int(rand()*1000), int(rand()*5000), 1+int(rand()*10), 40+int(rand()*1000)
  }
}
