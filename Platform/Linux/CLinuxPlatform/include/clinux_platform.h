int clp_placeholder(void);
