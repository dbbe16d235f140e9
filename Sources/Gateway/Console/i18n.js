// The console's words in English, Russian and Spanish (the call center of 004 works in
// Latin America). A word missing in one language falls back to English; the person's
// choice is kept in the browser, else the browser's language decides.

export const languages = [["en", "English"], ["ru", "Русский"], ["es", "Español"]];

const en = {
  loading: "Loading…", retry: "Retry", notFound: "Not found, or not yours to see.", unavailable: "{what} is unavailable right now.", nothing: "Nothing here.", more: "More",
  servicesDown: "Some services are not answering: parts of the screens may be unavailable.", gatewayDown: "The gateway is not answering.",
  sessionEnded: "Your session has ended; sign in again.", signIn: "Sign in", signOut: "Sign out", email: "Email", password: "Password",
  welcome: "Welcome to Switchboard", choosePassword: "Choose your password: at least 10 characters. You will sign in with your work email.",
  newPassword: "New password", repeatPassword: "Repeat the password", savePassword: "Save the password", passwordsDiffer: "The two passwords differ.",
  changePassword: "Change your password", changePasswordNote: "Every other session of yours ends.", currentPassword: "Current password", passwordChanged: "Password changed.",
  "menu.workstation": "Workstation", "menu.tasks": "My tasks", "menu.teamTasks": "Team tasks", "menu.inbox": "Inbox", "menu.board": "Deals", "menu.reports": "Reports",
  "menu.day": "My day", "menu.admin": "Setup", "menu.contacts": "Contacts", search: "Search", searchContacts: "Name, phone, email or company",
  "role.operator": "Operator", "role.manager": "Manager", "role.senior_manager": "Senior manager", "role.engineer": "Engineer", "role.teacher": "Teacher", "role.admin": "Admin",
  nextLead: "Next lead", queueEmpty: "No lead is ready now. Try again in a minute.", queueChanged: "The queue changed.", localTime: "Local time", callingHours: "calling hours {from}:00–{to}:00",
  leaseLeft: "Yours for {time}", leaseOver: "The lease is over: log the outcome or take the next lead.", outcomes: "Outcome", reason: "Reason",
  callbackAt: "Call back at", callbackForMe: "Call back myself", tomorrowAt10: "Tomorrow 10:00", inAnHour: "In an hour", outcomeLogged: "Logged: {outcome}.",
  "outcome.no_answer": "No answer", "outcome.busy": "Busy", "outcome.callback": "Call back", "outcome.offer_made": "Offer made", "outcome.refused": "Refused", "outcome.invalid": "Wrong number",
  contact: "Contact", deal: "Deal", deals: "Deals", noContact: "No contact yet.", noName: "(no name)", timeline: "Timeline", older: "Older", tasks: "Tasks",
  status: "Status", stage: "Stage", amount: "Amount", responsible: "Responsible", source: "Source", created: "Created", payments: "Payments", when: "When",
  "status.open": "Open", "status.won": "Won", "status.lost": "Lost", lossReason: "Why was it lost?", moveTo: "Move to…", move: "Move", moved: "Moved.", movedTo: "Moved to {stage}.",
  kind: "Kind", title: "Title", due: "Due", addTask: "Add a task", taskAdded: "Task added.", addNote: "Add a note", note: "Note", save: "Save", noteSaved: "Note saved.",
  "task.call_back": "Call back", "task.follow_up": "Follow up", "task.meeting": "Meeting", "task.custom": "Task", "task.reply": "Reply",
  "task.status.done": "Done", "task.status.cancelled": "Cancelled", show: "Show", open: "Open", overdue: "Overdue", done: "Done", assignee: "Assignee", markDone: "Done", taskDone: "Task done.",
  phones: "Phones", company: "Company", tags: "Tags",
  "inbox.mine": "Mine", "inbox.unassigned": "Unassigned", "inbox.unread": "Unread", "inbox.all": "All open", "inbox.closed": "Closed",
  channel: "Channel", lastMessage: "Last message", noConversations: "No conversations.", conversation: "Conversation", reply: "Your answer", send: "Send", sent: "Sent.",
  assignToMe: "Take it", assignedToMe: "It is yours.", close: "Close", closed: "Closed.",
  pipeline: "Pipeline", noPipelines: "No pipelines yet.", overSLA: "Over the stage's time limit", problem: "Problem", ok: "OK", cancel: "Cancel",
  "report.leads": "Leads", "report.attribution": "Attribution", "report.calls": "Call load", "report.nps": "NPS", "report.managers": "Managers", "report.bonuses": "Bonuses",
  from: "From", to: "To", month: "Month", currency: "Currency", groupBy: "Group by", downloadCSV: "Download CSV", total: "Total", leads: "Leads", attempted: "Attempted", offers: "Offers", won: "Won", lost: "Lost",
  wonRate: "Won rate", lowQuality: "Low quality", calls: "Calls", dealsOpened: "Deals", revenue: "Revenue", spend: "Spend", costPerLead: "Cost per lead",
  callsSummary: "{calls} calls, {missed} missed, {back} called back ({zone})", staff: "Staff", made: "Made", answered: "Answered", talk: "Talk",
  responses: "Responses", promoters: "Promoters", detractors: "Detractors", partial: "A telephony replica did not answer: call figures are partial.",
  conversion: "Conversion", tasksOnTime: "Tasks on time", tasksOverdue: "Tasks late", bonus: "Bonus", why: "Why",
  "group.partner": "Partner", "group.operator": "Operator", "group.source": "Source", "group.geography": "Region", "group.product": "Product",
  "group.utm_source": "utm_source", "group.utm_medium": "utm_medium", "group.utm_campaign": "utm_campaign", "group.tracking_number": "Tracking number",
  "group.pipeline": "Pipeline", "group.responsible": "Responsible",
  "weekday.1": "Mon", "weekday.2": "Tue", "weekday.3": "Wed", "weekday.4": "Thu", "weekday.5": "Fri", "weekday.6": "Sat", "weekday.7": "Sun",
  date: "Date", week: "The week ahead", calendarFeed: "Calendar feed", calendarFeedNote: "Your appointments in your phone's calendar: make a link and subscribe to it there.",
  newFeedLink: "Make a new feed link", noStops: "No appointments that day.", call: "Call", noShow: "Client not there", doneNotes: "Notes (optional)", marked: "Marked.",
  appointments: "Appointments", address: "Address", "appointmentKind.measurement": "Measurement", "appointmentKind.installation": "Installation", "appointmentKind.custom": "Visit",
  "appointment.booked": "Booked", "appointment.done": "Done", "appointment.no_show": "Not there", "appointment.cancelled": "Cancelled",
  "admin.staff": "Staff", "admin.pipelines": "Pipelines", "admin.fields": "Custom fields", "admin.integrations": "Integrations", "admin.channels": "Channels",
  "admin.templates": "Templates", "admin.rules": "Rules", "admin.alerts": "Alerts", "admin.credentials": "Credentials", "admin.parked": "Parked events",
  "admin.hooks": "Failed hooks", "admin.history": "History",
  name: "Name", role: "Role", left: "Left {when}", saved: "Saved.", invite: "Invite", inviteFor: "Invite link for {name} (works once):", inviteLink: "Invite link",
  inviteUntil: "until {when}", deactivate: "Deactivate", handTo: "Hand their work to staff # (an active colleague)", addStaff: "Add a staff member",
  firstName: "First name", lastName: "Last name", supervisor: "Supervisor #", add: "Add", entity: "For", type: "Type", required: "Required", options: "Options",
  archived: "Archived", declareField: "Declare a field", label: "Label", hookURL: "Hook URL", active: "Active", revoked: "Revoked", history: "History",
  addIntegration: "Add an integration", secret: "Secret", giveProvider: "Give the provider this URL:", provider: "Provider", sender: "Sender", token: "Token",
  timeZone: "Time zone", locale: "Locale", event: "Event", subject: "Subject", preview: "Preview", recipient: "Recipient", enabled: "Enabled", metric: "Metric",
  threshold: "Threshold", state: "State", since: "Since", value: "Value", prefix: "Prefix", revoke: "Revoke", addCredential: "Make a credential",
  staffMember: "Staff member #", secretOnce: "Copy it now; it is not shown again:", service: "Service", subscriber: "Subscriber", replay: "Replay", replayed: "Sent again.",
  discard: "Discard", integration: "Integration", failedHooks: "Hooks that failed", noFailedHooks: "No failed hooks.", historyOf: "History of", who: "Who", change: "Change",
  historyHelp: "A path such as staff/3, pipelines/1, products/2, resources/4, price-lists/1, admin/integrations/2.",
  stageName: "Stage name", outcome: "Outcome", slaMinutes: "SLA, minutes", retire: "Retire", addStage: "Add a stage",
  "stageOutcome.in_progress": "In progress", "stageOutcome.won": "Won", "stageOutcome.lost": "Lost",
  "live.message": "New message: {text}", "live.task": "New task: {title}", "live.callback": "A call-back is due: {phone}",
  "channel.whatsapp": "WhatsApp", "channel.telegram": "Telegram", "channel.sms": "SMS", "channel.email": "Email",
  "kind.note": "Note", "kind.call": "Call", "kind.dialer": "Dialer", "kind.stage_changed": "Stage", "kind.handover": "Handover", "kind.message": "Message",
};

const ru = {
  loading: "Загрузка…", retry: "Повторить", notFound: "Не найдено или недоступно вам.", unavailable: "{what} сейчас недоступно.", nothing: "Пусто.", more: "Ещё",
  servicesDown: "Часть сервисов не отвечает: некоторые разделы могут быть недоступны.", gatewayDown: "Шлюз не отвечает.",
  sessionEnded: "Сеанс завершён; войдите снова.", signIn: "Войти", signOut: "Выйти", email: "Эл. почта", password: "Пароль",
  welcome: "Добро пожаловать в Switchboard", choosePassword: "Придумайте пароль: не короче 10 символов. Входить вы будете по рабочей почте.",
  newPassword: "Новый пароль", repeatPassword: "Повторите пароль", savePassword: "Сохранить пароль", passwordsDiffer: "Пароли не совпадают.",
  changePassword: "Смена пароля", changePasswordNote: "Все другие ваши сеансы завершатся.", currentPassword: "Текущий пароль", passwordChanged: "Пароль изменён.",
  "menu.workstation": "Рабочее место", "menu.tasks": "Мои задачи", "menu.teamTasks": "Задачи команды", "menu.inbox": "Сообщения", "menu.board": "Сделки", "menu.reports": "Отчёты",
  "menu.day": "Мой день", "menu.admin": "Настройки", "menu.contacts": "Контакты", search: "Поиск", searchContacts: "Имя, телефон, почта или компания",
  "role.operator": "Оператор", "role.manager": "Менеджер", "role.senior_manager": "Старший менеджер", "role.engineer": "Инженер", "role.teacher": "Преподаватель", "role.admin": "Администратор",
  nextLead: "Следующий лид", queueEmpty: "Готовых лидов нет. Попробуйте через минуту.", queueChanged: "Очередь изменилась.", localTime: "Местное время", callingHours: "звонки {from}:00–{to}:00",
  leaseLeft: "Закреплён за вами ещё {time}", leaseOver: "Время вышло: запишите итог или возьмите следующий лид.", outcomes: "Итог звонка", reason: "Причина",
  callbackAt: "Перезвонить", callbackForMe: "Перезвоню сам(а)", tomorrowAt10: "Завтра в 10:00", inAnHour: "Через час", outcomeLogged: "Записано: {outcome}.",
  "outcome.no_answer": "Не ответил", "outcome.busy": "Занято", "outcome.callback": "Перезвонить", "outcome.offer_made": "Сделано предложение", "outcome.refused": "Отказ", "outcome.invalid": "Неверный номер",
  contact: "Контакт", deal: "Сделка", deals: "Сделки", noContact: "Контакта пока нет.", noName: "(без имени)", timeline: "Лента", older: "Раньше", tasks: "Задачи",
  status: "Статус", stage: "Этап", amount: "Сумма", responsible: "Ответственный", source: "Источник", created: "Создана", payments: "Платежи", when: "Когда",
  "status.open": "Открыта", "status.won": "Выиграна", "status.lost": "Проиграна", lossReason: "Причина проигрыша?", moveTo: "Перенести в…", move: "Перенести", moved: "Перенесено.", movedTo: "Перенесено в «{stage}».",
  kind: "Вид", title: "Название", due: "Срок", addTask: "Добавить задачу", taskAdded: "Задача добавлена.", addNote: "Добавить заметку", note: "Заметка", save: "Сохранить", noteSaved: "Заметка сохранена.",
  "task.call_back": "Перезвонить", "task.follow_up": "Связаться", "task.meeting": "Встреча", "task.custom": "Задача", "task.reply": "Ответить",
  "task.status.done": "Выполнена", "task.status.cancelled": "Отменена", show: "Показать", open: "Открытые", overdue: "Просроченные", done: "Выполненные", assignee: "Исполнитель", markDone: "Готово", taskDone: "Задача выполнена.",
  phones: "Телефоны", company: "Компания", tags: "Метки",
  "inbox.mine": "Мои", "inbox.unassigned": "Без ответственного", "inbox.unread": "Непрочитанные", "inbox.all": "Все открытые", "inbox.closed": "Закрытые",
  channel: "Канал", lastMessage: "Последнее сообщение", noConversations: "Переписок нет.", conversation: "Переписка", reply: "Ваш ответ", send: "Отправить", sent: "Отправлено.",
  assignToMe: "Взять себе", assignedToMe: "Теперь ваша.", close: "Закрыть", closed: "Закрыта.",
  pipeline: "Воронка", noPipelines: "Воронок пока нет.", overSLA: "Срок этапа превышен", problem: "Проблема", ok: "ОК", cancel: "Отмена",
  "report.leads": "Лиды", "report.attribution": "Реклама", "report.calls": "Нагрузка звонков", "report.nps": "NPS", "report.managers": "Менеджеры", "report.bonuses": "Бонусы",
  from: "С", to: "По", month: "Месяц", currency: "Валюта", groupBy: "Группировать", downloadCSV: "Скачать CSV", total: "Итого", leads: "Лиды", attempted: "Дозвоны", offers: "Предложения", won: "Выиграно", lost: "Проиграно",
  wonRate: "Доля выигранных", lowQuality: "Некачественные", calls: "Звонки", dealsOpened: "Сделки", revenue: "Выручка", spend: "Расход", costPerLead: "Цена лида",
  callsSummary: "{calls} звонков, {missed} пропущено, {back} перезвонили ({zone})", staff: "Сотрудник", made: "Исходящие", answered: "Отвеченные", talk: "Разговор",
  responses: "Ответы", promoters: "Промоутеры", detractors: "Критики", partial: "Одна из реплик телефонии не ответила: данные о звонках неполные.",
  conversion: "Конверсия", tasksOnTime: "Задачи вовремя", tasksOverdue: "Задачи с опозданием", bonus: "Бонус", why: "Почему",
  "group.partner": "Партнёр", "group.operator": "Оператор", "group.source": "Источник", "group.geography": "Регион", "group.product": "Продукт",
  "group.tracking_number": "Номер отслеживания", "group.pipeline": "Воронка", "group.responsible": "Ответственный",
  "weekday.1": "Пн", "weekday.2": "Вт", "weekday.3": "Ср", "weekday.4": "Чт", "weekday.5": "Пт", "weekday.6": "Сб", "weekday.7": "Вс",
  date: "Дата", week: "Неделя вперёд", calendarFeed: "Календарь", calendarFeedNote: "Ваши выезды в календаре телефона: создайте ссылку и подпишитесь на неё.",
  newFeedLink: "Новая ссылка на календарь", noStops: "В этот день выездов нет.", call: "Позвонить", noShow: "Клиента не было", doneNotes: "Заметки (необязательно)", marked: "Отмечено.",
  appointments: "Выезды", address: "Адрес", "appointmentKind.measurement": "Замер", "appointmentKind.installation": "Монтаж", "appointmentKind.custom": "Визит",
  "appointment.booked": "Запланирован", "appointment.done": "Выполнен", "appointment.no_show": "Клиента не было", "appointment.cancelled": "Отменён",
  "admin.staff": "Сотрудники", "admin.pipelines": "Воронки", "admin.fields": "Поля", "admin.integrations": "Интеграции", "admin.channels": "Каналы",
  "admin.templates": "Шаблоны", "admin.rules": "Правила", "admin.alerts": "Оповещения", "admin.credentials": "Ключи", "admin.parked": "Отложенные события",
  "admin.hooks": "Сбойные вебхуки", "admin.history": "История",
  name: "Имя", role: "Роль", left: "Уволен(а) {when}", saved: "Сохранено.", invite: "Пригласить", inviteFor: "Ссылка-приглашение для {name} (одноразовая):", inviteLink: "Ссылка-приглашение",
  inviteUntil: "действует до {when}", deactivate: "Уволить", handTo: "Передать дела сотруднику № (активному)", addStaff: "Добавить сотрудника",
  firstName: "Имя", lastName: "Фамилия", supervisor: "Руководитель №", add: "Добавить", entity: "Для", type: "Тип", required: "Обязательное", options: "Варианты",
  archived: "В архиве", declareField: "Объявить поле", label: "Подпись", hookURL: "Адрес вебхука", active: "Действует", revoked: "Отозван", history: "История",
  addIntegration: "Добавить интеграцию", secret: "Секрет", giveProvider: "Укажите у провайдера этот адрес:", provider: "Провайдер", sender: "Отправитель", token: "Токен",
  timeZone: "Часовой пояс", locale: "Язык", event: "Событие", subject: "Тема", preview: "Просмотр", recipient: "Получатель", enabled: "Включено", metric: "Метрика",
  threshold: "Порог", state: "Состояние", since: "С", value: "Значение", prefix: "Начало", revoke: "Отозвать", addCredential: "Создать ключ",
  staffMember: "Сотрудник №", secretOnce: "Скопируйте сейчас, больше он не будет показан:", service: "Сервис", subscriber: "Подписчик", replay: "Повторить", replayed: "Отправлено снова.",
  discard: "Отбросить", integration: "Интеграция", failedHooks: "Вебхуки с ошибками", noFailedHooks: "Сбойных вебхуков нет.", historyOf: "История", who: "Кто", change: "Изменение",
  historyHelp: "Путь вида staff/3, pipelines/1, products/2, resources/4, price-lists/1, admin/integrations/2.",
  stageName: "Название этапа", outcome: "Исход", slaMinutes: "Срок, минут", retire: "Убрать", addStage: "Добавить этап",
  "stageOutcome.in_progress": "В работе", "stageOutcome.won": "Успех", "stageOutcome.lost": "Провал",
  "live.message": "Новое сообщение: {text}", "live.task": "Новая задача: {title}", "live.callback": "Пора перезвонить: {phone}",
  "kind.note": "Заметка", "kind.call": "Звонок", "kind.dialer": "Обзвон", "kind.stage_changed": "Этап", "kind.handover": "Передача", "kind.message": "Сообщение",
};

const es = {
  loading: "Cargando…", retry: "Reintentar", notFound: "No encontrado, o no es suyo.", unavailable: "{what} no está disponible ahora.", nothing: "Nada aquí.", more: "Más",
  servicesDown: "Algunos servicios no responden: partes de las pantallas pueden no estar disponibles.", gatewayDown: "El gateway no responde.",
  sessionEnded: "Su sesión terminó; inicie sesión de nuevo.", signIn: "Iniciar sesión", signOut: "Cerrar sesión", email: "Correo", password: "Contraseña",
  welcome: "Bienvenido a Switchboard", choosePassword: "Elija su contraseña: al menos 10 caracteres. Entrará con su correo de trabajo.",
  newPassword: "Nueva contraseña", repeatPassword: "Repita la contraseña", savePassword: "Guardar la contraseña", passwordsDiffer: "Las contraseñas no coinciden.",
  changePassword: "Cambiar su contraseña", changePasswordNote: "Todas sus otras sesiones terminan.", currentPassword: "Contraseña actual", passwordChanged: "Contraseña cambiada.",
  "menu.workstation": "Puesto", "menu.tasks": "Mis tareas", "menu.teamTasks": "Tareas del equipo", "menu.inbox": "Mensajes", "menu.board": "Negocios", "menu.reports": "Informes",
  "menu.day": "Mi día", "menu.admin": "Configuración", "menu.contacts": "Contactos", search: "Buscar", searchContacts: "Nombre, teléfono, correo o empresa",
  "role.operator": "Operador", "role.manager": "Gerente", "role.senior_manager": "Gerente sénior", "role.engineer": "Técnico", "role.teacher": "Profesor", "role.admin": "Administrador",
  nextLead: "Siguiente lead", queueEmpty: "No hay leads listos. Inténtelo en un minuto.", queueChanged: "La cola cambió.", localTime: "Hora local", callingHours: "horario de llamadas {from}:00–{to}:00",
  leaseLeft: "Suyo durante {time}", leaseOver: "Se acabó el tiempo: registre el resultado o tome el siguiente lead.", outcomes: "Resultado", reason: "Motivo",
  callbackAt: "Volver a llamar el", callbackForMe: "Llamaré yo", tomorrowAt10: "Mañana 10:00", inAnHour: "En una hora", outcomeLogged: "Registrado: {outcome}.",
  "outcome.no_answer": "No contesta", "outcome.busy": "Ocupado", "outcome.callback": "Volver a llamar", "outcome.offer_made": "Oferta hecha", "outcome.refused": "Rechazó", "outcome.invalid": "Número erróneo",
  contact: "Contacto", deal: "Negocio", deals: "Negocios", noContact: "Aún sin contacto.", noName: "(sin nombre)", timeline: "Historial", older: "Anteriores", tasks: "Tareas",
  status: "Estado", stage: "Etapa", amount: "Importe", responsible: "Responsable", source: "Origen", created: "Creado", payments: "Pagos", when: "Cuándo",
  "status.open": "Abierto", "status.won": "Ganado", "status.lost": "Perdido", lossReason: "¿Por qué se perdió?", moveTo: "Mover a…", move: "Mover", moved: "Movido.", movedTo: "Movido a {stage}.",
  kind: "Tipo", title: "Título", due: "Vence", addTask: "Añadir tarea", taskAdded: "Tarea añadida.", addNote: "Añadir nota", note: "Nota", save: "Guardar", noteSaved: "Nota guardada.",
  "task.call_back": "Volver a llamar", "task.follow_up": "Seguimiento", "task.meeting": "Reunión", "task.custom": "Tarea", "task.reply": "Responder",
  "task.status.done": "Hecha", "task.status.cancelled": "Cancelada", show: "Mostrar", open: "Abiertas", overdue: "Vencidas", done: "Hechas", assignee: "Asignada a", markDone: "Hecho", taskDone: "Tarea hecha.",
  phones: "Teléfonos", company: "Empresa", tags: "Etiquetas",
  "inbox.mine": "Mías", "inbox.unassigned": "Sin asignar", "inbox.unread": "No leídas", "inbox.all": "Todas abiertas", "inbox.closed": "Cerradas",
  channel: "Canal", lastMessage: "Último mensaje", noConversations: "No hay conversaciones.", conversation: "Conversación", reply: "Su respuesta", send: "Enviar", sent: "Enviado.",
  assignToMe: "Tomarla", assignedToMe: "Es suya.", close: "Cerrar", closed: "Cerrada.",
  pipeline: "Embudo", noPipelines: "Aún no hay embudos.", overSLA: "Superó el tiempo de la etapa", problem: "Problema", ok: "Aceptar", cancel: "Cancelar",
  "report.leads": "Leads", "report.attribution": "Atribución", "report.calls": "Carga de llamadas", "report.nps": "NPS", "report.managers": "Gerentes", "report.bonuses": "Bonos",
  from: "Desde", to: "Hasta", month: "Mes", currency: "Moneda", groupBy: "Agrupar por", downloadCSV: "Descargar CSV", total: "Total", leads: "Leads", attempted: "Intentados", offers: "Ofertas", won: "Ganados", lost: "Perdidos",
  wonRate: "Tasa de ganados", lowQuality: "Baja calidad", calls: "Llamadas", dealsOpened: "Negocios", revenue: "Ingresos", spend: "Gasto", costPerLead: "Costo por lead",
  callsSummary: "{calls} llamadas, {missed} perdidas, {back} devueltas ({zone})", staff: "Personal", made: "Hechas", answered: "Contestadas", talk: "Conversación",
  responses: "Respuestas", promoters: "Promotores", detractors: "Detractores", partial: "Una réplica de telefonía no respondió: las cifras de llamadas son parciales.",
  conversion: "Conversión", tasksOnTime: "Tareas a tiempo", tasksOverdue: "Tareas tarde", bonus: "Bono", why: "Por qué",
  "group.partner": "Socio", "group.operator": "Operador", "group.source": "Origen", "group.geography": "Región", "group.product": "Producto",
  "group.tracking_number": "Número de seguimiento", "group.pipeline": "Embudo", "group.responsible": "Responsable",
  "weekday.1": "Lun", "weekday.2": "Mar", "weekday.3": "Mié", "weekday.4": "Jue", "weekday.5": "Vie", "weekday.6": "Sáb", "weekday.7": "Dom",
  date: "Fecha", week: "La semana", calendarFeed: "Calendario", calendarFeedNote: "Sus citas en el calendario del teléfono: cree un enlace y suscríbase allí.",
  newFeedLink: "Crear un enlace nuevo", noStops: "No hay citas ese día.", call: "Llamar", noShow: "Cliente ausente", doneNotes: "Notas (opcional)", marked: "Marcado.",
  appointments: "Citas", address: "Dirección", "appointmentKind.measurement": "Medición", "appointmentKind.installation": "Instalación", "appointmentKind.custom": "Visita",
  "appointment.booked": "Reservada", "appointment.done": "Hecha", "appointment.no_show": "Ausente", "appointment.cancelled": "Cancelada",
  "admin.staff": "Personal", "admin.pipelines": "Embudos", "admin.fields": "Campos", "admin.integrations": "Integraciones", "admin.channels": "Canales",
  "admin.templates": "Plantillas", "admin.rules": "Reglas", "admin.alerts": "Alertas", "admin.credentials": "Credenciales", "admin.parked": "Eventos detenidos",
  "admin.hooks": "Webhooks fallidos", "admin.history": "Historial",
  name: "Nombre", role: "Rol", left: "Se fue {when}", saved: "Guardado.", invite: "Invitar", inviteFor: "Enlace de invitación para {name} (un solo uso):", inviteLink: "Enlace de invitación",
  inviteUntil: "hasta {when}", deactivate: "Dar de baja", handTo: "Pasar su trabajo al empleado n.º (activo)", addStaff: "Añadir empleado",
  firstName: "Nombre", lastName: "Apellido", supervisor: "Supervisor n.º", add: "Añadir", entity: "Para", type: "Tipo", required: "Obligatorio", options: "Opciones",
  archived: "Archivado", declareField: "Declarar un campo", label: "Etiqueta", hookURL: "URL del webhook", active: "Activa", revoked: "Revocada", history: "Historial",
  addIntegration: "Añadir integración", secret: "Secreto", giveProvider: "Dé al proveedor esta URL:", provider: "Proveedor", sender: "Remitente", token: "Token",
  timeZone: "Zona horaria", locale: "Idioma", event: "Evento", subject: "Asunto", preview: "Vista previa", recipient: "Destinatario", enabled: "Activa", metric: "Métrica",
  threshold: "Umbral", state: "Estado", since: "Desde", value: "Valor", prefix: "Prefijo", revoke: "Revocar", addCredential: "Crear credencial",
  staffMember: "Empleado n.º", secretOnce: "Cópielo ahora; no se vuelve a mostrar:", service: "Servicio", subscriber: "Suscriptor", replay: "Reenviar", replayed: "Reenviado.",
  discard: "Descartar", integration: "Integración", failedHooks: "Webhooks que fallaron", noFailedHooks: "No hay webhooks fallidos.", historyOf: "Historial de", who: "Quién", change: "Cambio",
  historyHelp: "Una ruta como staff/3, pipelines/1, products/2, resources/4, price-lists/1, admin/integrations/2.",
  stageName: "Nombre de la etapa", outcome: "Resultado", slaMinutes: "SLA, minutos", retire: "Retirar", addStage: "Añadir etapa",
  "stageOutcome.in_progress": "En curso", "stageOutcome.won": "Ganado", "stageOutcome.lost": "Perdido",
  "live.message": "Mensaje nuevo: {text}", "live.task": "Tarea nueva: {title}", "live.callback": "Toca volver a llamar: {phone}",
  "kind.note": "Nota", "kind.call": "Llamada", "kind.dialer": "Marcador", "kind.stage_changed": "Etapa", "kind.handover": "Traspaso", "kind.message": "Mensaje",
};

const dictionaries = { en, ru, es };
let current = pick();

function pick() {
  const kept = localStorage.getItem("switchboard.language");
  if (kept && dictionaries[kept]) return kept;
  const browser = (navigator.language || "en").slice(0, 2);
  return dictionaries[browser] ? browser : "en";
}

export function language() {
  return current;
}

export function setLanguage(code) {
  if (!dictionaries[code]) return;
  current = code;
  localStorage.setItem("switchboard.language", code);
  document.documentElement.lang = code;
}

/** The words for `key` in the person's language, `{name}`s filled from `vars`. */
export function t(key, vars = {}, fallback) {
  const text = dictionaries[current][key] ?? en[key] ?? fallback ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}
